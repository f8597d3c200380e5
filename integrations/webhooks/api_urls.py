"""The webhooks API, under /api/organizations/<slug>/webhooks/."""

from django.urls import path

from integrations.webhooks import api

urlpatterns = [
    path("", api.WebhookList.as_view()),
    path("<uuid:uuid>/", api.WebhookDetail.as_view()),
    path("<uuid:uuid>/deliveries/", api.WebhookDeliveryList.as_view()),
    path("<uuid:uuid>/deliveries/<uuid:delivery>/resend/", api.WebhookResend.as_view()),
    path("<uuid:uuid>/test/", api.WebhookTest.as_view()),
    path("<uuid:uuid>/pause/", api.WebhookPause.as_view()),
    path("<uuid:uuid>/resume/", api.WebhookResume.as_view()),
    path("<uuid:uuid>/rotate-secret/", api.WebhookRotateSecret.as_view()),
]
