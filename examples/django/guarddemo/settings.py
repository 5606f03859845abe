"""Settings of the session-guard Django example.

Everything that matters for the guard comes from the environment, so one project can
be run with either renewal rule:

  SESSION_COOKIE_AGE          idle timeout in seconds (Django's default is 1209600, two weeks;
                              this example defaults to 1800)
  SESSION_SAVE_EVERY_REQUEST  "True" or "False" (Django's default): which requests renew the session
  SG_WARN_BEFORE              seconds before expiry the guard warns (default 120)
  SG_DB_PATH                  the sqlite file (default: a file in the system temp dir)
  SESSION_GUARD_DIST          the built package served at /session-guard/ (default: <repo>/dist)
  SG_TEST_HOOKS               "1" mounts /__test/ routes for the end-to-end tests (never in production)
"""

import os
import secrets
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
REPO_ROOT = BASE_DIR.parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value not in ("True", "False"):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return value == "True"


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before SessionMiddleware: answered without saving (renewing) the session.
    "guarddemo.views.PackageMiddleware",  # /session-guard/ (the built package)
    "guarddemo.session_guard.SessionStatusMiddleware",  # GET /session/status/
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session and auth middleware: its response half runs before the session is saved.
    "guarddemo.session_guard.SessionTimingMiddleware",
]
if os.environ.get("SG_TEST_HOOKS") == "1":
    MIDDLEWARE.insert(MIDDLEWARE.index("guarddemo.session_guard.SessionTimingMiddleware"), "guarddemo.views.TestHooksMiddleware")

ROOT_URLCONF = "guarddemo.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
WSGI_APPLICATION = "guarddemo.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SG_DB_PATH") or str(Path(tempfile.gettempdir()) / "session-guard-django-example.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# --- The session: server-side (database backend), short idle timeout. ---------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", "1800"))
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# CSRF token in the `csrftoken` cookie (Django's default), readable by the guard:
# data-csrf-header="X-CSRFToken" data-csrf-cookie="csrftoken".
CSRF_COOKIE_HTTPONLY = False
CSRF_USE_SESSIONS = False

LOGIN_URL = "/login/"

SESSION_GUARD = {
    "warn_before": int(os.environ.get("SG_WARN_BEFORE", "120")),
    "dist": Path(os.environ.get("SESSION_GUARD_DIST") or REPO_ROOT / "dist"),
    "test_hooks": os.environ.get("SG_TEST_HOOKS") == "1",
    # Each user's draftKey is the HMAC of their id under this secret (views.draft_key). Set it
    # in production and keep it like SECRET_KEY; a random one per process makes drafts of an
    # earlier run unreadable (they are swept, never shown).
    "draft_key_secret": os.environ.get("DRAFT_KEY_SECRET") or secrets.token_urlsafe(32),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
