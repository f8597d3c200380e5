from django.urls import include, path

app_name = "integrations"

urlpatterns: list = [
    path("", include("integrations.tokens.urls")),
    path("", include("integrations.oauth.urls")),
    path("", include("integrations.webhooks.urls")),
    path("", include("integrations.lti.urls")),
]
