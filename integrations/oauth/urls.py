from django.urls import path
from oauth2_provider import views as provider

from integrations.oauth import views
from integrations.ob3 import api as ob3

urlpatterns = [
    path(
        "organizations/<slug:slug>/oauth-clients/",
        views.client_list,
        name="oauth-clients",
    ),
    path(
        "organizations/<slug:slug>/oauth-clients/<int:pk>/remove/",
        views.client_remove,
        name="oauth-client-remove",
    ),
]

# django-oauth-toolkit's endpoints Cairn offers, mounted at /oauth/ in the
# "oauth2_provider" namespace its views expect. Its pages for registering
# applications are left out: an organization's admin registers them above.
provider_urlpatterns = [
    path("authorize/", provider.AuthorizationView.as_view(), name="authorize"),
    path("token/", provider.TokenView.as_view(), name="token"),
    path("revoke_token/", provider.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", provider.IntrospectTokenView.as_view(), name="introspect"),
]

# Dynamic client registration (RFC 7591), for Open Badges 3.0 hosts; outside
# DOT's namespace, since it is Cairn's.
registration_urlpatterns = [
    path("register/", ob3.register, name="ob3-register"),
]
