from django.urls import path

from accounts.sso import views

# Included in accounts/urls.py (namespace "accounts").
urlpatterns = [
    path("sign-in/organization/", views.start, name="sso-start"),
    path(
        "organizations/<slug:slug>/sign-in/", views.provider_list, name="sso-providers"
    ),
    path(
        "organizations/<slug:slug>/sign-in/new/",
        views.provider_add,
        name="sso-provider-add",
    ),
    path(
        "organizations/<slug:slug>/sign-in/<slug:provider_slug>/",
        views.provider_edit,
        name="sso-provider",
    ),
    path(
        "organizations/<slug:slug>/sign-in/<slug:provider_slug>/remove/",
        views.provider_remove,
        name="sso-provider-remove",
    ),
]
