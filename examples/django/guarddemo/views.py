"""The example's pages. Only session_guard.py is what your project needs; these views are
a minimal site around it: a login (any user name and any non-empty password), a form
worth protecting, logout, a small JSON API, and the built package at /session-guard/."""

import base64
import hashlib
import hmac
import mimetypes

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.static import serve

mimetypes.add_type("application/wasm", ".wasm")


def draft_key(user):
    """The user's draftKey: drafts are stored encrypted with it in the browser. The HMAC of the
    user's id under a server secret: stable for the user (drafts survive a re-login), never
    stored in the browser by the guard, and rendered only into that user's own pages. Rotating
    DRAFT_KEY_SECRET makes drafts written before unreadable (they are swept)."""
    secret = settings.SESSION_GUARD["draft_key_secret"].encode()
    mac = hmac.new(secret, b"session-guard draft key\n" + str(user.pk).encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def guard_context(request):
    """What the page's <script data-…> needs, straight from the server's own settings."""
    return {
        "timeout": settings.SESSION_COOKIE_AGE,
        "warn_before": settings.SESSION_GUARD["warn_before"],
        "renew_on": "request" if settings.SESSION_SAVE_EVERY_REQUEST else "keepalive",
        "user_id": request.user.pk,
        "draft_key": draft_key(request.user),
    }


def safe_next(request, value):
    ok = value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()})
    return value if ok else "/form/"


@never_cache
def login_view(request):
    error = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if username and password and len(username) <= 150:
            # Demo only: any name and any non-empty password signs in (the user is created).
            user, _ = get_user_model().objects.get_or_create(username=username)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # new session key
            return redirect(safe_next(request, request.POST.get("next", "")))
        error = "Please enter a user name and a password."
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "login.html", {"next": safe_next(request, next_url), "error": error})


@never_cache
@login_required
@ensure_csrf_cookie  # the guard reads the token from the csrftoken cookie
def form_view(request):
    if request.method == "POST":
        return render(request, "saved.html", {"message": request.POST.get("message", "")})
    return render(request, "form.html", guard_context(request))


@never_cache
def logout_view(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    logout(request)
    return redirect("/login/?loggedout=1")


@never_cache
def me(request):
    """A small JSON API call (it does not modify the session)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed out"}, status=401)
    return JsonResponse({"user": request.user.get_username()})


class PackageMiddleware:
    """The built package (dist/) at /session-guard/, for the script tag, answered BEFORE
    SessionMiddleware: loading the script never saves (renews) the session, which it would with
    SESSION_SAVE_EVERY_REQUEST = True, unseen by the guard (it does not count scripts as requests).
    In production, serve static files from your web server or WhiteNoise, outside the session."""

    prefix = "/session-guard/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.prefix):
            return self.get_response(request)
        return serve(request, request.path[len(self.prefix):], document_root=settings.SESSION_GUARD["dist"])


# --- Test hooks (SG_TEST_HOOKS=1 only) ------------------------------------------------------


@never_cache
def test_session(request):
    """The stored expiry of the session with key ?key=, read without loading or saving it.
    Called without cookies, so the session middleware has nothing to renew."""
    from django.contrib.sessions.models import Session

    row = Session.objects.filter(session_key=request.GET.get("key", "")).first()
    if row is None:
        return JsonResponse({"exists": False})
    now = timezone.now()
    return JsonResponse(
        {
            "exists": row.expire_date > now,
            "expiresAt": row.expire_date.timestamp() * 1000,
            "remaining": (row.expire_date - now).total_seconds(),
        }
    )


class TestHooksMiddleware:
    """SG_TEST_HOOKS only: a request sent with `X-Test-No-Server-Timing: 1` gets its response
    without Server-Timing, as if SessionTimingMiddleware were not installed (the end-to-end
    tests check that renewOn alone mirrors the server)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("X-Test-No-Server-Timing") == "1" and "Server-Timing" in response.headers:
            del response.headers["Server-Timing"]
        return response
