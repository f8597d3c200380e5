"""Every change to pathways and enrolments goes through here."""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curriculum.audit import log_action
from curriculum.models import Membership, Module, Organization
from curriculum.permissions import has_role
from curriculum.services import ensure_editable, next_draft_number
from curriculum.services import publish_version as publish_any_version
from pathways import rules, selectors, tasks
from pathways.models import Enrolment, Pathway, PathwayCompletion, PathwayVersion
from pathways.signals import pathway_completed


def all_of(module_codes: Sequence[str]) -> dict:
    return {
        "type": "all",
        "children": [{"type": "module", "code": c} for c in module_codes],
    }


def _check_rule(organization: Organization, rule: dict) -> None:
    try:
        rules.validate_rule(rule)
    except rules.RuleError as error:
        raise ValidationError({"rule": str(error)}) from error
    codes = set(rules.module_codes(rule))
    if not codes:
        raise ValidationError({"rule": "A pathway needs at least one module."})
    known = set(
        Module.objects.filter(organization=organization, code__in=codes).values_list(
            "code", flat=True
        )
    )
    if unknown := sorted(codes - known):
        raise ValidationError({"rule": f"No such module: {', '.join(unknown)}."})


@transaction.atomic
def create_pathway_version(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    code: str,
    title: str,
    summary: str = "",
    rule: dict,
) -> PathwayVersion:
    _check_rule(organization, rule)
    pathway, _ = Pathway.objects.get_or_create(organization=organization, code=code)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    number = next_draft_number(pathway.versions, label=f"Pathway {code}")
    version = PathwayVersion(
        pathway=pathway,
        number=number,
        title=title,
        summary=summary,
        rule=rule,
        created_by=by,
    )
    version.full_clean()
    version.save()
    log_action(by, "version.created", version, organization=organization)
    return version


@transaction.atomic
def update_rule(
    version: PathwayVersion, *, by: AbstractBaseUser, rule: dict
) -> PathwayVersion:
    version = PathwayVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    _check_rule(version.organization, rule)
    version.rule = rule
    version.save(update_fields=["rule"])
    log_action(by, "rule.updated", version, organization=version.organization)
    return version


@transaction.atomic
def publish_pathway_version(
    version: PathwayVersion, *, by: AbstractBaseUser, changelog: str
) -> PathwayVersion:
    """Publish once every module the rule names has a published version."""
    organization = version.organization
    codes = set(rules.module_codes(version.rule))
    published = set(
        Module.objects.filter(
            organization=organization, code__in=codes, versions__status="published"
        ).values_list("code", flat=True)
    )
    if missing := sorted(codes - published):
        raise ValidationError(
            f"Publish these modules first: {', '.join(missing)}.", code="unpublished"
        )
    return publish_any_version(version, by=by, changelog=changelog)


@transaction.atomic
def enrol(learner: AbstractBaseUser, version: PathwayVersion) -> Enrolment:
    if version.status != PathwayVersion.Status.PUBLISHED:
        raise ValidationError("You can only enrol in a published pathway.")
    if not has_role(learner, version.organization, Membership.Role.LEARNER):
        raise ValidationError(
            f"Only learners of {version.organization} can enrol in this pathway."
        )
    enrolment, created = Enrolment.objects.get_or_create(
        learner=learner, version=version, defaults={"enrolled_at": timezone.now()}
    )
    if created:
        log_action(
            learner, "enrolment.created", enrolment, organization=version.organization
        )
        # Modules done before enrolling count too.
        tasks.evaluate_learner_pathways.delay_on_commit(learner.pk)
    return enrolment


def evaluate_learner_pathways(learner: AbstractBaseUser) -> list[PathwayCompletion]:
    """Record a completion for every enrolled pathway the learner now satisfies."""
    recorded = []
    now = timezone.now()
    for enrolment, evaluation in selectors.evaluated_enrolments(learner, on=now):
        if evaluation.satisfied and not enrolment.completion:
            completion = record_pathway_completion(
                learner, enrolment.version, trace=evaluation.met, on=now
            )
            recorded.append(completion)
    return recorded


@transaction.atomic
def record_pathway_completion(
    learner: AbstractBaseUser, version: PathwayVersion, *, trace: dict, on=None
) -> PathwayCompletion:
    existing = PathwayCompletion.objects.live().filter(learner=learner, version=version)
    if found := existing.first():
        return found
    try:
        with transaction.atomic():
            completion = PathwayCompletion.objects.create(
                learner=learner,
                version=version,
                trace={"met": trace},
                completed_at=on or timezone.now(),
            )
    except IntegrityError:
        return existing.get()
    log_action(
        None,
        "pathway.completed",
        completion,
        organization=version.organization,
        learner=learner.pk,
    )
    transaction.on_commit(
        lambda: pathway_completed.send(
            sender=PathwayCompletion, completion_id=completion.pk, learner_id=learner.pk
        )
    )
    return completion


def learner_by_id(learner_id: int) -> AbstractBaseUser:
    return get_user_model().objects.get(pk=learner_id)
