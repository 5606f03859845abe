"""The server side of session-guard for Django: copy this file into your project.

1. `keepalive`: the view behind the guard's `keepAliveUrl`. It MODIFIES the session, so that
   Django saves it and moves its expiry, and answers `{"expiresIn": <seconds>}`.
2. `SessionTimingMiddleware`: adds `Server-Timing: session;dur=<ms left>` to every response of a
   signed-in user, so the guard learns the real remaining time on each page load, even when
   the page load did not renew the session (SESSION_SAVE_EVERY_REQUEST = False).

    MIDDLEWARE = [
        ...,
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

from django.conf import settings
from django.http import JsonResponse
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
    return JsonResponse({"expiresIn": request.session.get_expiry_age()})


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
