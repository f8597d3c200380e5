from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, parsers, serializers, status
from rest_framework import permissions as drf_permissions
from rest_framework.exceptions import ParseError, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import ratelimit
from accounts.models import Membership
from accounts.permissions import get_organization_for
from credentials import award_selectors, baking, permissions, selectors, services
from credentials.models import Award
from credentials.serializers import (
    AwardSerializer,
    VerificationSerializer,
    verification_data,
)


class MyAwardList(generics.ListAPIView):
    """Your credentials."""

    serializer_class = AwardSerializer

    def get_queryset(self):
        return selectors.learner_awards(self.request.user)


class AwardVerification(APIView):
    """Anyone can check a credential Cairn issued."""

    permission_classes = [drf_permissions.AllowAny]

    @extend_schema(responses=VerificationSerializer)
    def get(self, request, uuid):
        try:
            award = award_selectors.public_award(uuid)
        except Award.DoesNotExist as missing:
            raise Http404 from missing
        return Response(verification_data(services.verify_award(award, just_read=True)))


class _JsonParser(parsers.JSONParser):
    """JSON whose nesting exhausts the parser is bad input, not a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(
                "The JSON is nested too deeply to be read; no credential is."
            ) from error


class VerifyCredential(APIView):
    """Check any credential: signature, issuer DID, status, validity dates and
    schema. Send the credential as the JSON body, or a file (JSON, a Cairn PDF,
    a baked PNG or SVG badge) as multipart field `file`. Limited per client
    address and minute (CAIRN_VERIFY_PER_MINUTE): past it, 429 with Retry-After."""

    permission_classes = [drf_permissions.AllowAny]
    # Machines call this without a session; no session means no CSRF to check.
    authentication_classes: list = []
    parser_classes = [_JsonParser, parsers.MultiPartParser]

    @extend_schema(
        request={
            "application/json": OpenApiTypes.OBJECT,
            "multipart/form-data": inline_serializer(
                "CredentialFile", fields={"file": serializers.FileField()}
            ),
        },
        responses={200: VerificationSerializer, 400: None, 429: None},
    )
    def post(self, request):
        if ratelimit.exceeded(request, "verify", settings.CAIRN_VERIFY_PER_MINUTE):
            raise Throttled(wait=ratelimit.WINDOW_SECONDS)
        upload = request.FILES.get("file")
        jwt = ""
        try:
            if upload is not None:
                if upload.size > settings.CAIRN_MAX_UPLOAD_BYTES:
                    raise baking.NoCredentialFound("The file is too large.")
                opened = baking.open_file(upload.read())
                credential, jwt = opened.document, opened.jwt
            elif isinstance(request.data, dict) and request.data:
                credential = dict(request.data)
                # {"credential": {...}} is accepted too, as verify.mjs takes it.
                if set(credential) == {"credential"}:
                    credential = credential["credential"]
                if isinstance(credential, str):  # a VC-JWT sent as a string
                    opened = baking.open_text(credential)
                    credential, jwt = opened.document, opened.jwt
            else:
                raise baking.NoCredentialFound(
                    "Send a credential as the JSON body or a file as `file`."
                )
        except baking.HostedLink as link:
            return Response(verification_data(services.verify_hosted_link(link.url)))
        except baking.NoCredentialFound as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            verification_data(services.verify_credential(credential, jwt=jwt))
        )


class StatusChangeInput(serializers.Serializer):
    reason = serializers.CharField()


_API_STATUS_ACTIONS = {
    "revoke": services.revoke_award,
    "suspend": services.suspend_award,
    "reinstate": services.reinstate_award,
}


class AwardStatusChange(APIView):
    """An admin of the issuing organization revokes, suspends or reinstates a
    credential, with a reason the learner is told."""

    action = ""

    @extend_schema(request=StatusChangeInput, responses=AwardSerializer)
    def post(self, request, uuid):
        award = permissions.get_award_for_managing(request.user, uuid)
        data = StatusChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            award = _API_STATUS_ACTIONS[self.action](
                award, by=request.user, reason=data.validated_data["reason"]
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(AwardSerializer(award, context={"request": request}).data)


class OrganizationAwardList(generics.ListAPIView):
    """An organization's credentials, newest first, for its admins. `q`: words
    to find in the achievement or the learner's name, username or e-mail;
    `status`: valid, suspended or revoked; `kind`: module or pathway."""

    serializer_class = AwardSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search words"),
            OpenApiParameter("status", str, enum=list(award_selectors.AWARD_STATUSES)),
            OpenApiParameter("kind", str, enum=Award.Kind.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        organization = get_organization_for(
            self.request.user, self.kwargs["slug"], Membership.Role.ADMIN
        )
        params = self.request.query_params
        return award_selectors.organization_awards(
            organization,
            query=params.get("q", "").strip(),
            status=params.get("status", ""),
            kind=params.get("kind", ""),
        ).select_related("organization", "renewal_of")


class AwardReissue(APIView):
    """Issue a revoked credential again, for the completion it certified (if
    that still stands): a revocation is not a lock."""

    @extend_schema(request=None, responses={201: AwardSerializer})
    def post(self, request, uuid):
        award = permissions.get_award_for_managing(request.user, uuid)
        new = services.reissue_award(award, by=request.user)
        return Response(
            AwardSerializer(new, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AwardRenew(APIView):
    """Renew a credential that expires (within 90 days of its end) or has
    expired: a new credential valid from today; the old one stays."""

    @extend_schema(request=StatusChangeInput, responses={201: AwardSerializer})
    def post(self, request, uuid):
        award = permissions.get_award_for_managing(request.user, uuid)
        data = StatusChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        new = services.renew_award(
            award, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            AwardSerializer(new, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )
