"""The server side of session-guard for Django: copy this file into your project.

1. `keepalive`: the view behind the guard's `keepAliveUrl`. It MODIFIES the session, so that
   Django saves it and moves its expiry, and answers `{"expiresIn": <seconds>, "csrfToken": …}`.
   The token lets a tab revived by a login in another tab (which rotated the CSRF token) put the
   new one into its forms' `csrfmiddlewaretoken` inputs: their next submit is accepted.
2. `SessionTimingMiddleware`: adds `Server-Timing: session;dur=<ms left>` to every response of a
   signed-in user, so the guard learns the real remaining time on each page load, even when
   the page load did not renew the session (SESSION_SAVE_EVERY_REQUEST = False).
3. `SessionStatusMiddleware`: answers the guard's `statusUrl` (`GET /session/status/`) with the
   time left, WITHOUT renewing. It sits before SessionMiddleware and answers by itself, because
   SessionMiddleware saves (and so renews) the session of every request it sees when
   SESSION_SAVE_EVERY_REQUEST = True, whatever the view does.

    MIDDLEWARE = [
        ...,
        "yourapp.session_guard.SessionStatusMiddleware",   # before SessionMiddleware
        "django.contrib.sessions.middleware.SessionMiddleware",
        ...,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "yourapp.session_guard.SessionTimingMiddleware",   # after both
    ]
    urlpatterns = [path("session/keepalive/", session_guard.keepalive), ...]

Works with any session backend (db, cache, cached_db, signed_cookies, file).
"""

import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

# When the session was last saved (epoch seconds). Django does not keep this itself.
SAVED_AT = "session_guard_saved_at"


@never_cache
@require_POST
def keepalive(request):
    """POST only, CSRF-protected (the guard sends X-CSRFToken from the csrftoken cookie)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed out"}, status=401)
    request.session["keepalive"] = time.time()  # modified → saved → expiry renewed
    return JsonResponse({"expiresIn": request.session.get_expiry_age(), "csrfToken": get_token(request)})


class SessionTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return response
        # SessionMiddleware saves the session after us when it was modified, or on every request
        # with SESSION_SAVE_EVERY_REQUEST (never for a 5xx). A save restarts the expiry: note when.
        if response.status_code < 500 and (
            session.modified or settings.SESSION_SAVE_EVERY_REQUEST or SAVED_AT not in session
        ):
            session[SAVED_AT] = time.time()
        if SAVED_AT in session:
            now = timezone.now()
            saved = now - timedelta(seconds=time.time() - session[SAVED_AT])
            remaining = (session.get_expiry_date(modification=saved) - now).total_seconds()
            response.headers["Server-Timing"] = f"session;dur={max(0, round(remaining * 1000))}"
        return response


class SessionStatusMiddleware:
    """`GET <path>` (default /session/status/): 200 `{"expiresIn": s, "csrfToken"?}` while the session is alive,
    401 once it is gone; it never saves the session. Requires `X-Requested-With: XMLHttpRequest`
    (400 without). Place it BEFORE SessionMiddleware: the request never reaches it.

    The session is loaded from the store by its cookie, as SessionMiddleware would, and only
    read. An expired session does not load (every backend checks its expiry), so it is gone.
    The time left is `get_expiry_date(modification=<last save>)` − now: `get_expiry_age()` alone
    is the full age counted from now (what a save now would give), not what is left."""

    path = "/session/status/"

    def __init__(self, get_response):
        self.get_response = get_response
        self.engine = import_module(settings.SESSION_ENGINE)

    def __call__(self, request):
        if request.path != self.path:
            return self.get_response(request)
        if request.method != "GET":
            return _no_store(JsonResponse({"error": "GET only"}, status=405))
        if request.headers.get("X-Requested-With") != "XMLHttpRequest":
            return _no_store(JsonResponse({"error": "X-Requested-With: XMLHttpRequest is required"}, status=400))
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        session = self.engine.SessionStore(key) if key else None
        # Signed in = the auth key is in the session (the user's password hash is checked on
        # the next real request; a changed password ends the session there).
        if session is None or SESSION_KEY not in session:
            return _no_store(JsonResponse({"error": "signed out"}, status=401))
        if SAVED_AT not in session:
            # SessionTimingMiddleware is not installed: the last save is unknown (5xx: "unknown").
            return _no_store(JsonResponse({"error": "SessionTimingMiddleware is not installed"}, status=500))
        now = timezone.now()
        saved = now - timedelta(seconds=time.time() - session[SAVED_AT])
        left = (session.get_expiry_date(modification=saved) - now).total_seconds()
        if left <= 0:
            return _no_store(JsonResponse({"error": "signed out"}, status=401))
        body = {"expiresIn": round(left, 3)}
        token = _csrf_token_of(request)
        if token:
            body["csrfToken"] = token
        response = JsonResponse(body)
        response.headers["Server-Timing"] = f"session;dur={round(left * 1000)}"
        return _no_store(response)


def _csrf_token_of(request):
    """A (masked) form token for the CSRF cookie this request carries, or None without one.
    This middleware answers before CsrfViewMiddleware has read the cookie, so it is read here
    the same way; a token is never made up (no cookie would carry its secret)."""
    CsrfViewMiddleware(lambda r: None).process_request(request)
    if "CSRF_COOKIE" not in request.META:
        return None
    return get_token(request)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
