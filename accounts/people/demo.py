"""Demo data for managing people: student numbers for the college's learners
and a pending invitation on Ada's People page. Idempotent."""

from django.db import transaction

from accounts.models import Invitation, MemberNumber, Membership, Organization
from accounts.people import services

INVITEE = "sam.rivera@northfield.example.edu"


def extend_demo(organization: Organization, users: dict) -> None:
    learners = Membership.objects.filter(
        organization=organization, role=Membership.Role.LEARNER
    ).order_by("user__username")
    for n, membership in enumerate(learners, start=1):
        MemberNumber.objects.get_or_create(
            organization=organization,
            user_id=membership.user_id,
            defaults={"number": f"NF{2026000 + n}"},
        )
    if not Invitation.objects.filter(organization=organization, email=INVITEE).exists():
        with transaction.atomic():
            services.invite_member(
                organization, by=users["ada"], email=INVITEE, role="faculty"
            )
