"""An organization admin's self-registration policy and erasure queue for
machines, under /api/organizations/<slug>/: the pages' services and the
same permission function (the organization's admins only)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.lifecycle import selectors, services
from accounts.lifecycle.serializers import (
    ErasureDeclineSerializer,
    ErasureRequestSerializer,
    SignupPolicySerializer,
)
from accounts.models import ErasureRequest
from accounts.permissions import Role, get_organization_for


class Registration(APIView):
    """Self-registration of learners: open or closed, and the e-mail domains
    it accepts. `PUT` sets both; `PATCH` changes what it names. Opening it
    needs at least one domain."""

    def _answer(self, request, organization) -> Response:
        policy = services.signup_policy_of(organization)
        join_url = request.build_absolute_uri(
            reverse("accounts:join", args=[organization.slug])
        )
        return Response(
            SignupPolicySerializer(policy, context={"join_url": join_url}).data
        )

    @extend_schema(responses=SignupPolicySerializer)
    def get(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, Role.ADMIN)
        return self._answer(request, organization)

    def _change(self, request, slug: str, *, partial: bool) -> Response:
        organization = get_organization_for(request.user, slug, Role.ADMIN)
        policy = services.signup_policy_of(organization)
        data = SignupPolicySerializer(
            policy, data=request.data, partial=partial, context={"join_url": ""}
        )
        data.is_valid(raise_exception=True)
        wanted = data.validated_data
        services.set_signup_policy(
            organization,
            by=request.user,
            is_open=wanted.get("is_open", policy.is_open),
            email_domains=wanted.get("email_domains", policy.email_domains),
        )
        return self._answer(request, organization)

    @extend_schema(request=SignupPolicySerializer, responses=SignupPolicySerializer)
    def put(self, request, slug: str) -> Response:
        return self._change(request, slug, partial=False)

    @extend_schema(request=SignupPolicySerializer, responses=SignupPolicySerializer)
    def patch(self, request, slug: str) -> Response:
        return self._change(request, slug, partial=True)


class ErasureRequestList(generics.ListAPIView):
    """Requests to erase the personal data of the organization's people,
    oldest first: those waiting for a decision, or `status` ones."""

    serializer_class = ErasureRequestSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[*ErasureRequest.Status.values, "all"],
                description="Waiting ones (pending) by default; `all` for every one.",
            )
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organization = get_organization_for(
            self.request.user, self.kwargs["slug"], Role.ADMIN
        )
        wanted = self.request.query_params.get("status", ErasureRequest.Status.PENDING)
        choices = ErasureRequest.Status.values
        if wanted not in {*choices, "all"}:
            raise ValidationError({"status": [f"Choose {', '.join(choices)} or all."]})
        return selectors.erasure_requests(
            organization, status=None if wanted == "all" else wanted
        )


def _erasure_of(user, slug: str, pk: int):
    """A request of someone in the organization (404 for anyone else's), and
    the organization."""
    organization = get_organization_for(user, slug, Role.ADMIN)
    erasure = get_object_or_404(
        selectors.erasure_requests(organization, status=None), pk=pk
    )
    return organization, erasure


class ErasureConfirm(APIView):
    """Confirm a waiting request: the person is told, then their account is
    closed, their evidence deleted and their credentials revoked. It cannot
    be undone. A request decided already is a 400."""

    @extend_schema(request=None, responses=ErasureRequestSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        organization, erasure = _erasure_of(request.user, slug, pk)
        erasure = services.confirm_erasure(
            erasure, by=request.user, organization=organization
        )
        return Response(ErasureRequestSerializer(erasure).data)


class ErasureDecline(APIView):
    """Decline a waiting request, saying why (the person is told); nothing is
    erased."""

    @extend_schema(request=ErasureDeclineSerializer, responses=ErasureRequestSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        organization, erasure = _erasure_of(request.user, slug, pk)
        data = ErasureDeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        erasure = services.decline_erasure(
            erasure,
            by=request.user,
            organization=organization,
            reason=data.validated_data["reason"],
        )
        return Response(ErasureRequestSerializer(erasure).data)
