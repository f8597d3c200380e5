from django.urls import path

from accounts.lifecycle import views

urlpatterns = [
    path("accounts/me/", views.account, name="account"),
    path("accounts/me/name/", views.update_name, name="account-name"),
    path(
        "accounts/me/preferences/",
        views.update_preferences,
        name="account-preferences",
    ),
    path(
        "accounts/me/sessions/<int:pk>/end/",
        views.end_session,
        name="account-session-end",
    ),
    path(
        "accounts/me/sessions/end-all/",
        views.end_all_sessions,
        name="account-sessions-end-all",
    ),
    path(
        "accounts/me/identities/disconnect/",
        views.disconnect_identity,
        name="account-identity-disconnect",
    ),
    path("accounts/me/erasure/", views.request_erasure, name="account-erasure"),
    path("accounts/join/<slug:slug>/", views.join, name="join"),
    path(
        "organizations/<slug:slug>/registration/",
        views.signup_policy,
        name="signup-policy",
    ),
    path(
        "organizations/<slug:slug>/erasure-requests/",
        views.erasure_requests,
        name="erasure-requests",
    ),
    path(
        "organizations/<slug:slug>/erasure-requests/<int:pk>/",
        views.decide_erasure,
        name="erasure-decide",
    ),
]
