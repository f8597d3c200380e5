"""Who may manage issuers, keys and awards: an organization's admins."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership, Organization
from accounts.permissions import User, has_role
from credentials.models import Award

Role = Membership.Role


def can_manage_credentials(user: User, organization: Organization) -> bool:
    return has_role(user, organization, Role.ADMIN)


def get_award_for_managing(user: User, award_uuid) -> Award:
    award = (
        Award.objects.select_related("organization", "learner", "signing_key")
        .filter(uuid=award_uuid)
        .first()
    )
    if award is None:
        raise Http404("No credential has this identifier.")
    if not can_manage_credentials(user, award.organization):
        raise PermissionDenied
    return award


def get_award_for_owner(user: User, award_uuid) -> Award:
    award = Award.objects.filter(uuid=award_uuid).first()
    if award is None or award.learner_id != user.pk:
        raise Http404("No credential of yours has this identifier.")
    return award
