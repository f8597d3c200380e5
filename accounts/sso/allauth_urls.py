"""Paths that replace two of allauth's (accounts/sso/allauth_views.py); included
under /auth/ before allauth.urls."""

from django.urls import path

from accounts.sso import allauth_views

urlpatterns = [
    path(
        "oidc/<str:provider_id>/login/callback/",
        allauth_views.oidc_callback,
        name="cairn_oidc_callback",
    ),
    path(
        "saml/<str:organization_slug>/acs/finish/",
        allauth_views.saml_finish_acs,
        name="cairn_saml_finish_acs",
    ),
]
