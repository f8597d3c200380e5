"""Names and Role Provisioning Services: the course's members kept as a Cairn
cohort (new members added, withdrawn ones marked and taken out of it)."""

from django.db import transaction
from django.utils import timezone

from accounts.audit import log_action
from assessments.models import Cohort
from curriculum import services as curriculum
from integrations.lti.launch import Role, is_teaching, link_identity
from integrations.lti.services_client import SCOPE_MEMBERS, PlatformConnector
from integrations.models import LtiContext, LtiMember

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def course_cohort(context: LtiContext) -> Cohort:
    if context.cohort_id:
        return context.cohort
    platform = context.platform
    cohort = Cohort.objects.create(
        organization=platform.organization, name=_free_name(context)
    )
    context.cohort = cohort
    context.save(update_fields=["cohort"])
    log_action(None, "cohort.created", cohort, organization=platform.organization)
    return cohort


def _free_name(context: LtiContext) -> str:
    """The course's cohort name, unused in the organization: two courses with one
    title (or a cohort staff made by hand) never share a cohort."""
    base = f"{context.platform.name}: {context.title or context.context_id}"
    taken = set(
        Cohort.objects.filter(
            organization=context.platform.organization, name__startswith=base[:100]
        ).values_list("name", flat=True)
    )
    for n in range(1, len(taken) + 2):
        suffix = "" if n == 1 else f" ({context.context_id})" if n == 2 else f" ({n})"
        name = base[: 120 - len(suffix)] + suffix
        if name not in taken:
            return name
    raise AssertionError("unreachable: one of len(taken) + 1 names is free")


def read_members(context: LtiContext, *, on_page=None) -> list[dict] | None:
    """The course's roster as the platform gives it, every page; None when
    the course offers no roster service."""
    if not context.memberships_url:
        return None
    connector = PlatformConnector(context.platform)
    return connector.get_pages(
        [SCOPE_MEMBERS], context.memberships_url, MEMBERSHIP_TYPE, on_page=on_page
    )


@transaction.atomic
def apply_members(context: LtiContext, members: list[dict]) -> dict[str, int]:
    platform = context.platform
    organization = platform.organization
    cohort = course_cohort(context)
    now = timezone.now()
    seen = set()
    added = 0
    for member in members:
        subject = str(member.get("user_id") or "")
        if not subject:
            continue
        roles = list(member.get("roles") or [])
        active = member.get("status", "Active") == "Active"
        identity = link_identity(
            platform,
            subject=subject,
            email=member.get("email", "") or "",
            name=member.get("name", "") or "",
            given_name=member.get("given_name", "") or "",
            family_name=member.get("family_name", "") or "",
        )
        teaching = is_teaching(roles)
        record, created = LtiMember.objects.get_or_create(
            context=context,
            identity=identity,
            defaults={"roles": roles, "is_instructor": teaching},
        )
        if not active:
            continue
        seen.add(record.pk)
        if record.status != LtiMember.Status.ACTIVE or record.roles != roles:
            record.status, record.withdrawn_at = LtiMember.Status.ACTIVE, None
            record.roles, record.is_instructor = roles, teaching
            record.save(
                update_fields=["status", "withdrawn_at", "roles", "is_instructor"]
            )
        if not teaching:
            curriculum.add_member(organization, identity.user, role=Role.LEARNER)
            if not cohort.learners.filter(pk=identity.user_id).exists():
                cohort.learners.add(identity.user)
                added += 1
                log_action(
                    None,
                    "cohort.member_added",
                    cohort,
                    organization=organization,
                    user=identity.user_id,
                    role=Role.LEARNER,
                    source="lti",
                )
    gone = list(
        LtiMember.objects.filter(context=context, status=LtiMember.Status.ACTIVE)
        .exclude(pk__in=seen)
        .select_related("identity")
    )
    for record in gone:
        record.status, record.withdrawn_at = LtiMember.Status.WITHDRAWN, now
        record.save(update_fields=["status", "withdrawn_at"])
        cohort.learners.remove(record.identity.user_id)
        log_action(
            None,
            "cohort.member_removed",
            cohort,
            organization=organization,
            user=record.identity.user_id,
            role=Role.LEARNER,
            source="lti",
        )
    context.members_synced_at = now
    context.save(update_fields=["members_synced_at"])
    return {"added": added, "withdrawn": len(gone)}
