"""Reads for the LTI pages."""

from dataclasses import dataclass

from accounts.models import Organization
from assessments.models import ModuleCompletion
from curriculum.models import Module
from integrations.models import LtiContext, LtiMember
from pathways.models import Pathway


@dataclass(frozen=True)
class LearnerRow:
    name: str
    status: str
    completed: tuple[str, ...]


def course_progress(context: LtiContext) -> list[LearnerRow]:
    """Each learner of the course and the mapped modules they completed."""
    members = list(
        LtiMember.objects.filter(context=context, is_instructor=False)
        .select_related("identity__user")
        .order_by("identity__name", "pk")
    )
    module_ids = set(context.award_rules.values_list("module_id", flat=True))
    done: dict[int, set[str]] = {}
    for learner_id, code in (
        ModuleCompletion.objects.live()
        .filter(
            learner__in=[m.identity.user_id for m in members],
            version__module_id__in=module_ids,
        )
        .values_list("learner_id", "version__module__code")
    ):
        done.setdefault(learner_id, set()).add(code)
    return [
        LearnerRow(
            name=member.identity.name or member.identity.user.get_username(),
            status=member.get_status_display(),
            completed=tuple(sorted(done.get(member.identity.user_id, ()))),
        )
        for member in members
    ]


def deep_link_choices(organization: Organization) -> list[tuple[str, str]]:
    modules = Module.objects.filter(organization=organization).order_by("code")
    pathways = Pathway.objects.filter(organization=organization).order_by("code")
    return [
        *((f"pathway:{p.code}", f"Pathway progress: {p.code}") for p in pathways),
        *((f"module:{m.code}", f"Module: {m.code}") for m in modules),
    ]
