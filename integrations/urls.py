from django.urls import include, path

app_name = "integrations"

urlpatterns: list = [
    path("", include("integrations.tokens.urls")),
    path("", include("integrations.oauth.urls")),
    path("", include("integrations.webhooks.urls")),
    path("", include("integrations.ob3.urls")),
    path("", include("integrations.oid4vci.urls")),
    path("", include("integrations.lti.urls")),
]
