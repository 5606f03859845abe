from django.conf import settings
from django.shortcuts import redirect
from django.urls import path

from . import session_guard, views

urlpatterns = [
    path("", lambda request: redirect("/form/")),
    path("login/", views.login_view),
    path("logout/", views.logout_view),
    path("form/", views.form_view),
    path("api/me/", views.me),
    path("session/keepalive/", session_guard.keepalive),
]

if settings.SESSION_GUARD["test_hooks"]:
    urlpatterns.append(path("__test/session/", views.test_session))
