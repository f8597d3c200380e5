from django.urls import include, path

app_name = "integrations"

urlpatterns: list = [
    path("", include("integrations.webhooks.urls")),
]
