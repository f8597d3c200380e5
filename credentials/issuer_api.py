"""The issuer page's actions for machines, under /api/organizations/<slug>/:
the issuer profile and how it signs, its logo and certificate samples, and
its signing keys. The same services and permission functions as the pages."""

from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, Organization
from accounts.permissions import get_organization_for
from credentials import selectors, services
from credentials.models import SigningKey
from credentials.serializers import (
    EndorsableReviewSerializer,
    EndorseInput,
    EndorsementSerializer,
    IssuerLogoSerializer,
    IssuerSerializer,
    KeyCompromisedSerializer,
    KeyCompromiseSerializer,
    SigningKeySerializer,
)
from credentials.services.profiles import sample_certificate_pdf

ADMIN = Membership.Role.ADMIN


def _issuer(organization: Organization) -> dict:
    return IssuerSerializer(
        {
            "slug": organization.slug,
            "name": organization.name,
            "url": organization.url,
            "email": organization.email,
            "description": organization.description,
            "did": services.current_issuer_did(organization),
            "logo_url": selectors.issuer_image_url(organization),
            "signing": selectors.signing_options(organization),
        }
    ).data


class Issuer(APIView):
    """The organization as an issuer, for its admins: its details (name, web
    site, e-mail, description), its DID and logo, and how it signs. PATCH
    changes any of them, all or none."""

    @extend_schema(responses=IssuerSerializer)
    def get(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        return Response(_issuer(organization))

    @extend_schema(request=IssuerSerializer(partial=True), responses=IssuerSerializer)
    def patch(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        data = IssuerSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        signing = changes.pop("signing", {})
        with transaction.atomic():
            if changes:
                organization = services.update_issuer_details(
                    organization, by=request.user, **changes
                )
            if signing:
                current = selectors.signing_options(organization)
                services.set_signing_options(
                    organization,
                    by=request.user,
                    proof_format=signing.get("proof_format", current.proof_format),
                    suspension_entry=signing.get(
                        "suspension_entry", current.suspension_entry
                    ),
                )
        return Response(_issuer(organization))


class IssuerLogo(APIView):
    """Replace the issuer's logo (PNG or JPEG, at most 512 KB); certificates
    are rendered again with it."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=IssuerLogoSerializer, responses=IssuerSerializer)
    def put(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        data = IssuerLogoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_issuer_logo(
            organization, by=request.user, content=data.validated_data["logo"].read()
        )
        return Response(_issuer(organization))


class CertificateSample(APIView):
    """A made-up certificate in the organization's design, as a PDF: `short`,
    or `long` for a crowded one."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "variant",
                str,
                OpenApiParameter.PATH,
                enum=list(selectors.CERTIFICATE_SAMPLES),
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, slug: str, variant: str) -> HttpResponse:
        organization = get_organization_for(request.user, slug, ADMIN)
        if variant not in selectors.CERTIFICATE_SAMPLES:
            raise Http404("No such sample.")
        pdf = sample_certificate_pdf(organization, variant)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="sample-{variant}.pdf"'
        return response


class SigningKeyList(generics.ListAPIView):
    """The organization's signing keys, the active one first."""

    serializer_class = SigningKeySerializer
    pagination_class = None  # one a rotation

    def get_queryset(self):
        organization = get_organization_for(
            self.request.user, self.kwargs["slug"], ADMIN
        )
        return SigningKey.objects.filter(organization=organization).order_by(
            "-is_active", "-created_at", "-pk"
        )


class SigningKeyRotate(APIView):
    """Retire the active key and make a new one; the old one keeps verifying
    what it signed."""

    @extend_schema(request=None, responses={201: SigningKeySerializer})
    def post(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        key = services.rotate_signing_key(organization, by=request.user)
        return Response(SigningKeySerializer(key).data, status=status.HTTP_201_CREATED)


class SigningKeyCompromised(APIView):
    """Mark a key compromised from a moment on: what it signed from then is
    revoked (the learners are told), an active key is replaced first, and the
    status lists are signed again with the new key."""

    @extend_schema(request=KeyCompromiseSerializer, responses=KeyCompromisedSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        key = get_object_or_404(SigningKey, pk=pk, organization=organization)
        data = KeyCompromiseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revoked = services.mark_key_compromised(
            key, by=request.user, **data.validated_data
        )
        key.refresh_from_db()
        return Response({"key": SigningKeySerializer(key).data, "revoked": revoked})


class EndorsementList(APIView):
    """Reviews the organization's boards approved, each with its endorsement
    if it has one; POST signs the organization's endorsement of one."""

    @extend_schema(responses=EndorsableReviewSerializer(many=True))
    def get(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        reviews = selectors.endorsable_reviews(organization)
        return Response(EndorsableReviewSerializer(reviews, many=True).data)

    @extend_schema(request=EndorseInput, responses={201: EndorsementSerializer})
    def post(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, ADMIN)
        data = EndorseInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = get_object_or_404(
            selectors.endorsable_reviews(organization),
            pk=data.validated_data["review"],
        )
        endorsement = services.endorse_approved_review(
            review, by=request.user, comment=data.validated_data["comment"]
        )
        return Response(
            EndorsementSerializer(endorsement).data, status=status.HTTP_201_CREATED
        )
