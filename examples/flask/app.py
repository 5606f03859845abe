"""A minimal Flask 3.1 app guarded by session-guard's script tag. Only session_guard.py is what
your app needs; this is a small site around it: a login (any user name and any non-empty
password), a form worth protecting, logout, a JSON API, and the built package at /session-guard/.

Everything that matters comes from the environment:

  SESSION_LIFETIME              idle timeout in seconds (PERMANENT_SESSION_LIFETIME; default 1800)
  SESSION_REFRESH_EACH_REQUEST  "True" (Flask's default) or "False": which requests renew the session
  SG_WARN_BEFORE                seconds before expiry the guard warns (default 120)
  SESSION_GUARD_DIST            the built package served at /session-guard/ (default: <repo>/dist)
  SG_TEST_HOOKS                 "1" mounts /__test/ routes for the end-to-end tests (never in production)
  FLASK_SECRET_KEY              the session signing key (default: random per process)
  PORT                          for `python app.py` (default 8082)
"""

import hmac
import mimetypes
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, jsonify, redirect, render_template, request, send_from_directory, session

from session_guard import SessionGuard, leave_session_alone

HERE = Path(__file__).resolve().parent
mimetypes.add_type("application/wasm", ".wasm")


def env_bool(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    if value not in ("True", "False"):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value == "True"


def create_app():
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32),
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=int(os.environ.get("SESSION_LIFETIME", "1800"))),
        SESSION_REFRESH_EACH_REQUEST=env_bool("SESSION_REFRESH_EACH_REQUEST", True),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    warn_before = int(os.environ.get("SG_WARN_BEFORE", "120"))
    dist = Path(os.environ.get("SESSION_GUARD_DIST") or HERE.parent.parent / "dist")
    signed_in = lambda s: "user" in s  # noqa: E731

    def csrf_ok():
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        return bool(expected) and hmac.compare_digest(sent, expected)

    SessionGuard(app, signed_in=signed_in, csrf_check=csrf_ok, csrf_token=lambda: session.get("csrf"))

    def safe_next(value):
        parts = urlsplit(value or "")
        ok = value and value.startswith("/") and not value.startswith("//") and "\\" not in value
        return value if ok and not parts.scheme and not parts.netloc else "/form"

    @app.after_request
    def no_store(response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/")
    def index():
        return redirect("/form" if signed_in(session) else "/login")

    @app.route("/login", methods=["GET", "POST"])
    def login():
        error = ""
        if request.method == "POST":
            username = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            if username and password and len(username) <= 64:
                # Demo only: any name and any non-empty password signs in.
                session.clear()
                session.permanent = True  # the cookie gets an expiry: PERMANENT_SESSION_LIFETIME
                session["user"] = username
                session["csrf"] = secrets.token_urlsafe(24)
                return redirect(safe_next(request.form.get("next")), 303)
            error = "Please enter a user name and a password."
        next_url = request.form.get("next") or request.args.get("next", "")
        return render_template("login.html", next=safe_next(next_url), error=error)

    @app.route("/form", methods=["GET", "POST"])
    def form():
        if not signed_in(session):
            return redirect(f"/login?next={request.full_path.rstrip('?')}", 303 if request.method == "POST" else 302)
        if request.method == "POST":
            if not csrf_ok():
                return render_template("saved.html", message="The form was out of date (invalid CSRF token).", title="Bad request"), 400
            return render_template("saved.html", message=request.form.get("message", ""), title="Saved")
        return render_template(
            "form.html",
            timeout=int(app.permanent_session_lifetime.total_seconds()),
            warn_before=warn_before,
            renew_on="request" if app.config["SESSION_REFRESH_EACH_REQUEST"] else "keepalive",
            user=session["user"],
            csrf=session["csrf"],
        )

    @app.post("/logout")
    def logout():
        if signed_in(session) and not csrf_ok():
            return jsonify(error="bad CSRF token"), 400
        session.clear()  # an emptied session: Flask deletes the cookie
        return redirect("/login?loggedout=1", 303)

    @app.get("/api/me")
    def me():
        """A small JSON API call (it does not modify the session)."""
        if not signed_in(session):
            return jsonify(error="signed out"), 401
        return jsonify(user=session["user"])

    @app.get("/session-guard/<path:name>")
    def package(name):
        """The built package (dist/), for the script tag. Serve it from your web server in production."""
        leave_session_alone()  # loading the script must not renew the session (it would, with refresh)
        response = send_from_directory(dist, name)
        response.headers["Cache-Control"] = "no-cache"
        return response

    if os.environ.get("SG_TEST_HOOKS") == "1":
        interface = app.session_interface

        @app.get("/__test/session")
        def test_session():
            """When the session cookie ?cookie= ends, decoded with the app's serializer from its
            signed timestamp. Called without cookies: nothing is opened, refreshed or sent back."""
            leave_session_alone()
            at = interface.written_at(app, request.args.get("cookie", ""))
            if at is None:
                return jsonify(exists=False)
            # The server accepts the cookie while int(now) - at <= lifetime (itsdangerous): until
            # a second after `lifetime`. (The browser's cookie, Max-Age = lifetime, ends first.)
            ends = at + app.permanent_session_lifetime.total_seconds() + 1
            return jsonify(exists=ends > time.time(), expiresAt=ends * 1000, signedAt=at * 1000)

        # `X-Test-No-Server-Timing: 1`: the response goes out without Server-Timing, as if the
        # guard's session interface were not installed (renewOn alone must mirror the server).
        inner = app.wsgi_app

        def strip_server_timing(environ, start_response):
            if environ.get("HTTP_X_TEST_NO_SERVER_TIMING") != "1":
                return inner(environ, start_response)

            def start(status, headers, exc_info=None):
                return start_response(status, [(k, v) for k, v in headers if k.lower() != "server-timing"], exc_info)

            return inner(environ, start)

        app.wsgi_app = strip_server_timing

    @app.errorhandler(404)
    def not_found(_):
        leave_session_alone()
        return jsonify(error="not found"), 404

    return app


app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8082")), threaded=True, use_reloader=False)
