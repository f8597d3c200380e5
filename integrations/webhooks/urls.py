"""Webhook pages, under /integrations/<organization>/webhooks/."""

from django.urls import path

from integrations.webhooks import views as webhooks

urlpatterns = [
    path("<slug:slug>/webhooks/", webhooks.subscription_list, name="webhook-list"),
    path(
        "<slug:slug>/webhooks/new/",
        webhooks.create_subscription,
        name="webhook-create",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/",
        webhooks.subscription_detail,
        name="webhook-detail",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/edit/",
        webhooks.edit_subscription,
        name="webhook-edit",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/delete/",
        webhooks.delete_subscription,
        name="webhook-delete",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/rotate/",
        webhooks.rotate_secret,
        name="webhook-rotate",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/pause/",
        webhooks.pause_subscription,
        name="webhook-pause",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/resume/",
        webhooks.resume_subscription,
        name="webhook-resume",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/test/",
        webhooks.send_test_event,
        name="webhook-test",
    ),
    path(
        "<slug:slug>/webhooks/<uuid:uuid>/deliveries/<uuid:delivery>/resend/",
        webhooks.resend_delivery,
        name="webhook-resend",
    ),
]
