"""The server side of session-guard for Flask's default (signed cookie) session: copy this file.

    from session_guard import SessionGuard

    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=30)   # the guard's data-timeout
    app.config["SESSION_REFRESH_EACH_REQUEST"] = True                  # Flask's default
    guard = SessionGuard(app, signed_in=lambda session: "user" in session)
    # at login: session.permanent = True (without it the cookie has no expiry at all)

It registers two routes and one hook:

- `POST /session/keepalive` (the guard's `keepAliveUrl`): MODIFIES the session, so that Flask
  sends the cookie again with a new expiry even with SESSION_REFRESH_EACH_REQUEST = False, and
  answers `{"expiresIn": <s>}`; 401 when signed out. Put your CSRF check in front of it
  (`csrf_check=`).
- `GET /session/status` (the guard's `statusUrl`): the time left, WITHOUT renewing: the cookie is
  not sent again on that response, whatever SESSION_REFRESH_EACH_REQUEST says. 200 `{"expiresIn": s,
  "csrfToken": …}` or 401.
- `Server-Timing: session;dur=<ms left>` on every response of a signed-in user.

When does a Flask session end? The cookie is the session. itsdangerous signs it with the time it
was written (whole seconds) and Flask refuses it once that stamp is more than
PERMANENT_SESSION_LIFETIME old; the browser drops it at its expiry. So the session ends
`lifetime` after the cookie was last WRITTEN:

- SESSION_REFRESH_EACH_REQUEST = True: every request writes it → `data-renew-on="request"`.
- SESSION_REFRESH_EACH_REQUEST = False: only a modified session is written → `data-renew-on="keepalive"`.

Two additions make that moment exact, whatever the browser:

- The write time is stored in the session itself (`session_guard_written_at`, a float), at the
  moment Flask writes the cookie. Server-Timing and the status route count from it.
- The cookie also gets `Max-Age=<lifetime>`. Flask sends only `Expires`, a date in whole
  seconds, and browsers read it differently: Chromium shifts it by the response's `Date` header
  (so the cookie lives `lifetime` from its arrival), Firefox takes it as it is (up to a second
  less). With `Max-Age`, which takes precedence, every browser keeps it `lifetime` from its
  arrival, and the server's whole-second check (which accepts it up to a second longer) never
  ends it first.
"""

import time

from flask import g, jsonify, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# When the session cookie was last written (epoch seconds, float), kept in the session.
WRITTEN_AT = "session_guard_written_at"


def leave_session_alone():
    """Call in a view whose response must not renew the session (status, static files)."""
    g.session_guard_no_renew = True


class GuardedSessionInterface(SecureCookieSessionInterface):
    """Flask's default cookie session, plus: views can opt out of the refresh, and every response
    of a signed-in user says how long the session has left."""

    def __init__(self, signed_in):
        self.signed_in = signed_in

    def should_set_cookie(self, app, sess):
        if g.get("session_guard_no_renew") and not sess.modified:
            return False
        return super().should_set_cookie(app, sess)

    def save_session(self, app, sess, response):
        if sess and self.should_set_cookie(app, sess):
            # Written now: note when, in the cookie itself (a plain dict write: no extra "modified").
            dict.__setitem__(sess, WRITTEN_AT, time.time())
        super().save_session(app, sess, response)
        self.add_max_age(app, response)
        if response.status_code >= 500 or not sess or not self.signed_in(sess):
            return
        left = self.expires_in(app, sess)
        if left is not None:
            response.headers["Server-Timing"] = f"session;dur={max(0, round(left * 1000))}"

    def add_max_age(self, app, response):
        """Adds Max-Age=<lifetime> to the session cookie set on this response, if any."""
        prefix = self.get_cookie_name(app) + "="
        cookies = response.headers.getlist("Set-Cookie")
        if not any(c.startswith(prefix) and "Max-Age=" not in c for c in cookies):
            return
        lifetime = int(app.permanent_session_lifetime.total_seconds())
        response.headers.remove("Set-Cookie")
        for value in cookies:
            if value.startswith(prefix) and "Max-Age=" not in value:
                value = f"{value}; Max-Age={lifetime}"
            response.headers.add("Set-Cookie", value)

    def written_at(self, app, cookie_value):
        """When the cookie was signed (epoch s, whole seconds), or None when it is not valid."""
        if not cookie_value:
            return None
        try:
            _, at = self.get_signing_serializer(app).loads(cookie_value, return_timestamp=True)
        except BadSignature:
            return None
        return at.timestamp()

    def expires_in(self, app, sess):
        """Seconds until the session `sess` ends (may be negative), or None without a write time."""
        at = sess.get(WRITTEN_AT) if sess else None
        if not isinstance(at, (int, float)):
            return None
        return at + app.permanent_session_lifetime.total_seconds() - time.time()


class SessionGuard:
    def __init__(self, app, signed_in=lambda s: "user" in s, csrf_check=None, csrf_token=None,
                 keepalive_url="/session/keepalive", status_url="/session/status"):
        self.interface = GuardedSessionInterface(signed_in)
        app.session_interface = self.interface
        self.signed_in = signed_in
        self.csrf_token = csrf_token or (lambda: None)

        def keepalive():
            if request.headers.get("X-Requested-With") != "XMLHttpRequest":
                return _no_store(jsonify(error="X-Requested-With: XMLHttpRequest is required"), 400)
            if not signed_in(session):
                return _no_store(jsonify(error="signed out"), 401)
            if csrf_check is not None and not csrf_check():
                return _no_store(jsonify(error="bad CSRF token"), 400)  # 400: a 403 reads as "expired"
            session["session_guard_keepalive_at"] = time.time()  # modified → the cookie is written again
            return _no_store(jsonify(expiresIn=app.permanent_session_lifetime.total_seconds()))

        def status():
            leave_session_alone()
            if request.headers.get("X-Requested-With") != "XMLHttpRequest":
                return _no_store(jsonify(error="X-Requested-With: XMLHttpRequest is required"), 400)
            left = self.interface.expires_in(app, session)
            if not signed_in(session) or left is None or left <= 0:
                return _no_store(jsonify(error="signed out"), 401)
            body = {"expiresIn": round(left, 3)}
            token = self.csrf_token()
            if token:
                body["csrfToken"] = token
            return _no_store(jsonify(body))

        app.add_url_rule(keepalive_url, "session_guard_keepalive", keepalive, methods=["POST"])
        app.add_url_rule(status_url, "session_guard_status", status, methods=["GET"])


def _no_store(response, status=200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["SessionGuard", "GuardedSessionInterface", "leave_session_alone"]
