"""An organization's people through the API: the same services and the same
permission functions as the pages (session authentication, like the rest)."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import OrganizationList
from accounts.models import Invitation, Membership
from accounts.people import selectors, services
from accounts.people.permissions import (
    get_member_of,
    get_organization_for_people,
    is_site_admin,
)
from accounts.people.serializers import (
    InvitationSerializer,
    MemberSerializer,
    OrganizationCreateSerializer,
    RoleSerializer,
)


class CreatesOrganizations(BasePermission):
    message = "Only site administrators create organizations."

    def has_permission(self, request, view) -> bool:
        return request.method != "POST" or is_site_admin(request.user)


class OrganizationListCreate(OrganizationList, generics.CreateAPIView):
    """The organizations where you hold a role; site administrators create more."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [*OrganizationList.permission_classes, CreatesOrganizations]

    def get_serializer_class(self):
        if self.request.method == "POST":
            return OrganizationCreateSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        logo = data.get("logo")
        serializer.instance = services.create_organization(
            by=self.request.user,
            name=data["name"],
            slug=data["slug"],
            url=data.get("url", ""),
            time_zone=data.get("time_zone", ""),
            logo=logo.read() if logo else None,
        )


class MemberList(generics.ListAPIView):
    """The organization's members with their roles, for its admins. `q`: words
    to find in names, usernames, e-mails or numbers; `role`: one role."""

    serializer_class = MemberSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search words"),
            OpenApiParameter("role", str, enum=Membership.Role.values),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.organization = get_organization_for_people(
            self.request.user, self.kwargs["slug"]
        )
        role = self.request.query_params.get("role", "")
        return selectors.members(
            self.organization,
            q=self.request.query_params.get("q", ""),
            role=role if role in Membership.Role.values else "",
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.member_rows(self.organization, page)


class InvitationCreate(generics.ListCreateAPIView):
    """Invite someone by e-mail with a role; the link goes to them by e-mail.
    GET lists the invitations not yet accepted, withdrawn or expired."""

    serializer_class = InvitationSerializer

    def create(self, request, *args, **kwargs):
        # Who may invite is settled before the body is read: a stranger learns
        # nothing from field errors.
        self.organization = get_organization_for_people(request.user, kwargs["slug"])
        return super().create(request, *args, **kwargs)

    def get_queryset(self):
        organization = get_organization_for_people(
            self.request.user, self.kwargs["slug"]
        )
        return selectors.pending_invitations(organization)

    def perform_create(self, serializer) -> None:
        serializer.instance, _ = services.invite_member(
            self.organization,
            by=self.request.user,
            email=serializer.validated_data["email"],
            role=serializer.validated_data["role"],
        )


class _MemberAction(APIView):
    def member(self, slug: str, user_id: int):
        organization = get_organization_for_people(self.request.user, slug)
        user = get_object_or_404(
            get_user_model(),
            pk__in=selectors.members(organization).values("pk"),
            pk=user_id,
        )
        return organization, user

    def answer(self, organization, user, code=status.HTTP_200_OK) -> Response:
        row = selectors.member_row(organization, user)
        return Response(MemberSerializer(row).data, status=code)


class MemberRoles(_MemberAction):
    """Grant a member a role (granting admin delegates administration)."""

    @extend_schema(request=RoleSerializer, responses=MemberSerializer)
    def post(self, request, slug: str, user_id: int) -> Response:
        organization, user = self.member(slug, user_id)
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.grant_role(
            organization, by=request.user, user=user, role=serializer.data["role"]
        )
        return self.answer(organization, user, status.HTTP_201_CREATED)


class MemberRole(_MemberAction):
    """Withdraw one role; the last admin keeps theirs."""

    @extend_schema(request=None, responses=MemberSerializer)
    def delete(self, request, slug: str, user_id: int, role: str) -> Response:
        organization, user = self.member(slug, user_id)
        services.withdraw_role(organization, by=request.user, user=user, role=role)
        return self.answer(organization, user)


class MemberDeactivate(_MemberAction):
    """Deactivate a member: their roles go, their work and credentials stay."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, slug: str, user_id: int) -> Response:
        organization, user = self.member(slug, user_id)
        services.deactivate_member(organization, by=request.user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationWithdraw(APIView):
    """Withdraw an invitation not yet accepted: its link stops working."""

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request, slug: str, pk: int) -> Response:
        organization = get_organization_for_people(request.user, slug)
        invitation = get_object_or_404(Invitation, organization=organization, pk=pk)
        invitation = services.withdraw_invitation(invitation, by=request.user)
        return Response(InvitationSerializer(invitation).data)


class MemberReactivate(_MemberAction):
    """Reactivate a deactivated member: their former roles come back."""

    @extend_schema(request=None, responses=MemberSerializer)
    def post(self, request, slug: str, user_id: int) -> Response:
        organization = get_organization_for_people(request.user, slug)
        user = get_member_of(organization, user_id)
        services.reactivate_member(organization, by=request.user, user=user)
        return self.answer(organization, user)
