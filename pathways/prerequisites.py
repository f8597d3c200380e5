"""A module's prerequisite, as the map shows it and as work on the module is
held to it: registered with assessments (assessments/prerequisites.py) from
PathwaysConfig.ready().

A module's prerequisite is its stacking rule (StackingProfile.prerequisite)
together with the modules its version lists as prerequisites; staff may waive
it for one learner (PrerequisiteOverride).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from assessments.prerequisites import Locked
from curriculum.models import ModuleVersion
from pathways import rules, selectors
from pathways.models import PrerequisiteOverride, StackingProfile
from pathways.selectors.facts import completion_facts


def _name(step: rules.NextStep) -> str:
    return step.code if step.title == step.code else f"{step.code} {step.title}"


def locked(learner: AbstractBaseUser, version: ModuleVersion) -> Locked | None:
    """What stops the learner starting work on this module, or None."""
    version = ModuleVersion.objects.select_related("module__organization").get(
        pk=version.pk
    )
    module = version.module
    stacking = StackingProfile.objects.filter(module=module).first()
    rule = rules.effective_prerequisite(
        stacking.prerequisite if stacking else None,
        version.prerequisites.values_list("code", flat=True),
    )
    if rule is None:
        return None
    if PrerequisiteOverride.objects.filter(learner=learner, module=module).exists():
        return None
    organization = module.organization
    catalogue = selectors.catalogue_for(organization).catalogue
    now = timezone.now()
    facts = completion_facts(learner, on=now)
    evaluation = rules.compile_rule(rule, catalogue).evaluate(facts, now)
    if evaluation.satisfied:
        return None
    needed = [_name(s) for s in evaluation.next_steps if not s.locked]
    return Locked(
        module=f"{module.code} {version.title}",
        prerequisite=rules.describe(rule, catalogue),
        missing=tuple(needed or evaluation.reasons),
        organization=organization.name,
    )
