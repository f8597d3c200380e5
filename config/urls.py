from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerOauthRedirectView,
    SpectacularSwaggerSplitView,
)

from accounts import views as accounts
from credentials import views as credential_views
from home import views as home_views
from integrations.oauth.urls import provider_urlpatterns as oauth_provider
from integrations.oauth.urls import registration_urlpatterns as oauth_registration
from integrations.ob3.urls import api_urlpatterns as ob3_api
from integrations.oid4vci import urls as oid4vci_urls

urlpatterns = [
    path("", home_views.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Cairn's login page is the one login page; allauth's sends people there.
    path("auth/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("auth/", include("accounts.sso.allauth_urls")),  # before allauth's own
    path("auth/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("assessments/", include("assessments.urls")),
    path("pathways/", include("pathways.urls")),
    path("", include("reviews.urls")),
    path("credentials/", include("credentials.urls")),
    path("analytics/", include("analytics.urls")),
    path("integrations/", include("integrations.urls")),
    path("oauth/", include((oauth_provider, "oauth2_provider"))),
    path("oauth/", include(oauth_registration)),
    path("ims/ob/v3p0/", include(ob3_api)),
    path(".well-known/did.json", credential_views.did_document, name="did-document"),
    path("", include(oid4vci_urls.well_known_urlpatterns)),
    path("oid4vci/", include((oid4vci_urls.protocol_urlpatterns, "oid4vci"))),
    path("api/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/docs/",
        # Its script is a file of its own, as the Content-Security-Policy needs.
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="swagger-ui",
    ),
    path(
        "api/docs/oauth2-redirect.html",
        SpectacularSwaggerOauthRedirectView.as_view(),
        name="swagger-oauth-redirect",
    ),
    path("admin/", admin.site.urls),
]
