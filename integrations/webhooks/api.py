"""The webhook pages' actions for machines, under
/api/organizations/<slug>/webhooks/, asking the same permission functions."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.models import WebhookDelivery
from integrations.webhooks import permissions, selectors, services
from integrations.webhooks.serializers import (
    WebhookDeliverySerializer,
    WebhookSecretSerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionSerializer,
)


class WebhookList(generics.ListCreateAPIView):
    """An organization's webhooks; adding one returns its secret this once."""

    serializer_class = WebhookSubscriptionSerializer
    pagination_class = None  # a handful per organization

    def get_queryset(self):
        organization = permissions.get_organization_for_webhooks(
            self.request.user, self.kwargs["slug"]
        )
        return organization.webhook_subscriptions.order_by("created_at", "pk")

    @extend_schema(responses={201: WebhookSubscriptionCreatedSerializer})
    def post(self, request, slug):
        organization = permissions.get_organization_for_webhooks(request.user, slug)
        data = WebhookSubscriptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, secret = services.create_subscription(
            organization, by=request.user, **data.validated_data
        )
        subscription.secret = secret
        return Response(
            WebhookSubscriptionCreatedSerializer(subscription).data,
            status=status.HTTP_201_CREATED,
        )


class WebhookDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = WebhookSubscriptionSerializer

    def get_object(self):
        return permissions.get_subscription_for_managing(
            self.request.user, self.kwargs["slug"], self.kwargs["uuid"]
        )

    def perform_update(self, serializer):
        subscription = serializer.instance
        data = {
            "url": subscription.url,
            "events": subscription.events,
            "description": subscription.description,
            **serializer.validated_data,
        }
        serializer.instance = services.update_subscription(
            subscription, by=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.delete_subscription(instance, by=self.request.user)


class WebhookDeliveryList(generics.ListAPIView):
    """A webhook's deliveries, newest first; `?status=` filters."""

    serializer_class = WebhookDeliverySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status", enum=[value for value, _ in WebhookDelivery.Status.choices]
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        subscription = permissions.get_subscription_for_managing(
            self.request.user, self.kwargs["slug"], self.kwargs["uuid"]
        )
        wanted = self.request.query_params.get("status", "")
        if wanted not in WebhookDelivery.Status.values:
            wanted = ""
        return selectors.delivery_log(subscription, status=wanted)


class _SubscriptionAction(APIView):
    action = ""

    @extend_schema(request=None, responses=WebhookSubscriptionSerializer)
    def post(self, request, slug, uuid):
        subscription = permissions.get_subscription_for_managing(
            request.user, slug, uuid
        )
        if self.action == "pause":
            subscription = services.pause_subscription(
                subscription,
                by=request.user,
                reason=f"Paused by {request.user.get_username()}.",
            )
        else:
            subscription = services.resume_subscription(subscription, by=request.user)
        return Response(WebhookSubscriptionSerializer(subscription).data)


class WebhookPause(_SubscriptionAction):
    action = "pause"


class WebhookResume(_SubscriptionAction):
    action = "resume"


class WebhookRotateSecret(APIView):
    @extend_schema(request=None, responses=WebhookSecretSerializer)
    def post(self, request, slug, uuid):
        subscription = permissions.get_subscription_for_managing(
            request.user, slug, uuid
        )
        return Response(
            {"secret": services.rotate_secret(subscription, by=request.user)}
        )


class WebhookTest(APIView):
    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request, slug, uuid):
        subscription = permissions.get_subscription_for_managing(
            request.user, slug, uuid
        )
        delivery = services.send_test_event(subscription, by=request.user)
        return Response(
            WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED
        )


class WebhookResend(APIView):
    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    def post(self, request, slug, uuid, delivery):
        found = permissions.get_delivery_for_managing(
            request.user, slug, uuid, delivery
        )
        found = services.resend_delivery(found, by=request.user)
        return Response(
            WebhookDeliverySerializer(found).data, status=status.HTTP_202_ACCEPTED
        )
