"""Demo data for managing people: the college's time zone, student numbers for
its learners and a pending invitation on Ada's People page. Idempotent."""

from django.db import transaction

from accounts.models import Invitation, MemberNumber, Membership, Organization
from accounts.people import services

INVITEE = "sam.rivera@northfield.example.edu"


def extend_demo(organization: Organization, users: dict) -> None:
    if organization.time_zone == "UTC":
        organization.time_zone = "Europe/Dublin"
        organization.save(update_fields=["time_zone"])
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
