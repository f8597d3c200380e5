"""The W3C VC API of one organization, under
/api/organizations/<slug>/vc-api/ (docs/decisions/0018-vc-api.md): thin views
over integrations/vcapi/services.py and verification.py."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import get_organization_for
from integrations.vcapi import services, verification
from integrations.vcapi.shapes import VcApiError

Role = Membership.Role
# Who may have Cairn sign or change a status: the organization's admins (and
# its service accounts holding that role), as for awards.
ISSUERS = (Role.ADMIN,)
# Who may use its verifier: its staff (a learner has the public /api/verify).
VERIFIERS = (Role.ADMIN, Role.FACULTY, Role.DESIGNER, Role.REVIEWER)
TAG = ["W3C VC API"]


class IssueRequest(serializers.Serializer):
    credential = serializers.JSONField(
        help_text="An unsigned credential (VC Data Model 2.0 or 1.1). Cairn sets "
        "its issuer to the organization's DID, adds an id and validFrom if "
        "missing, a revocation and a suspension status entry, and an "
        "eddsa-rdfc-2022 Data Integrity proof."
    )
    options = serializers.JSONField(required=False)


class IssueResponse(serializers.Serializer):
    verifiableCredential = serializers.JSONField()


class VerifyCredentialRequest(serializers.Serializer):
    verifiableCredential = serializers.JSONField()
    options = serializers.JSONField(required=False)


class VerifyPresentationRequest(serializers.Serializer):
    verifiablePresentation = serializers.JSONField()
    options = serializers.JSONField(
        required=False,
        help_text="challenge (required when the presentation is signed) and domain.",
    )


class VerifyResponse(serializers.Serializer):
    verified = serializers.BooleanField()
    checks = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    errors = serializers.ListField(child=serializers.CharField())
    problemDetails = serializers.ListField(child=serializers.DictField())


class VerifyFailure(serializers.Serializer):
    """Not verified: what failed, as problem details; a request refused before
    the VC API reads it (a NUL character, JSON that does not parse) has
    `detail` only."""

    verified = serializers.BooleanField(required=False)
    checks = serializers.ListField(child=serializers.CharField(), required=False)
    warnings = serializers.ListField(child=serializers.CharField(), required=False)
    errors = serializers.ListField(child=serializers.CharField(), required=False)
    problemDetails = serializers.ListField(
        child=serializers.DictField(), required=False
    )
    detail = serializers.CharField(required=False)


class StatusRequest(serializers.Serializer):
    credentialId = serializers.CharField()
    credentialStatus = serializers.JSONField(
        help_text='[{"type": "BitstringStatusListCredential", "status": '
        '"revoked" | "suspended" | "unsuspended"}]'
    )


class StatusResponse(serializers.Serializer):
    credentialId = serializers.CharField()
    revoked = serializers.BooleanField()
    suspended = serializers.BooleanField()


class ProblemResponse(serializers.Serializer):
    """A refused request: a problem detail (RFC 9457) naming each problem, in
    the shape of a failed verification too. A request refused before the VC
    API reads it (a NUL character, JSON that does not parse) has `detail` only."""

    type = serializers.CharField(required=False)
    title = serializers.CharField(required=False)
    detail = serializers.CharField()
    verified = serializers.BooleanField(required=False)
    checks = serializers.ListField(child=serializers.CharField(), required=False)
    warnings = serializers.ListField(child=serializers.CharField(), required=False)
    errors = serializers.ListField(child=serializers.CharField(), required=False)
    problemDetails = serializers.ListField(
        child=serializers.DictField(), required=False
    )


def refusal(error: VcApiError) -> Response:
    """The VC API's error: a problem detail (RFC 9457) naming each problem,
    shaped as a failed verification too (verified false, no checks passed)."""
    first = error.problems[0]
    return Response(
        {
            "type": first["type"],
            "title": first["title"],
            "detail": error.message,
            "verified": False,
            "checks": [],
            "warnings": [],
            "errors": ["request"],
            "problemDetails": error.problems,
        },
        status=error.status,
    )


class CredentialsIssue(APIView):
    """Sign a credential as the organization (VC API: issueCredential)."""

    @extend_schema(
        tags=TAG,
        request=IssueRequest,
        responses={201: IssueResponse, 400: ProblemResponse},
        examples=[
            OpenApiExample(
                "A credential",
                request_only=True,
                value={
                    "credential": {
                        "@context": ["https://www.w3.org/ns/credentials/v2"],
                        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
                        "credentialSubject": {
                            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
                            "alumniOf": "Example University",
                        },
                    },
                    "options": {},
                },
            )
        ],
    )
    def post(self, request, slug):
        organization = get_organization_for(request.user, slug, *ISSUERS)
        try:
            record = services.issue_credential(
                organization, request.data, by=request.user
            )
        except VcApiError as error:
            return refusal(error)
        return Response(
            {"verifiableCredential": record.credential}, status=status.HTTP_201_CREATED
        )


class CredentialsStatus(APIView):
    """Revoke, suspend or lift the suspension of a credential issued here
    (VC API: updateCredentialStatus); 404 for a credential not issued through
    this organization's VC API."""

    @extend_schema(
        tags=TAG,
        request=StatusRequest,
        # A credential not issued here is a 404 with a ProblemResponse body; it is
        # left out of the schema, whose 404s (an unknown organization too) are
        # Django's own pages.
        responses={200: StatusResponse, 400: ProblemResponse},
    )
    def post(self, request, slug):
        organization = get_organization_for(request.user, slug, *ISSUERS)
        try:
            record = services.update_status(organization, request.data, by=request.user)
        except VcApiError as error:
            return refusal(error)
        return Response(services.status_of(record))


class CredentialsVerify(APIView):
    """Check a credential's proof, issuer, status, dates and data model
    (VC API: verifyCredential): 200 if it verifies, else 400."""

    @extend_schema(
        tags=TAG,
        request=VerifyCredentialRequest,
        responses={200: VerifyResponse, 400: VerifyFailure},
    )
    def post(self, request, slug):
        get_organization_for(request.user, slug, *VERIFIERS)
        try:
            result = verification.verify_credential(request.data)
        except VcApiError as error:
            return refusal(error)
        return Response(result.body, status=result.http_status)


class PresentationsVerify(APIView):
    """Check a presentation's authentication proof against the options'
    challenge and domain, and every credential in it (VC API:
    verifyPresentation): 200 if all verify, else 400."""

    @extend_schema(
        tags=TAG,
        request=VerifyPresentationRequest,
        responses={200: VerifyResponse, 400: VerifyFailure},
    )
    def post(self, request, slug):
        get_organization_for(request.user, slug, *VERIFIERS)
        try:
            result = verification.verify_presentation(request.data)
        except VcApiError as error:
            return refusal(error)
        return Response(result.body, status=result.http_status)
