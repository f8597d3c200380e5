"""Every change to pathways, enrolments and equivalences goes through here."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership, Organization
from accounts.permissions import has_role
from curriculum.models import Module
from curriculum.services import ensure_editable, next_draft_number
from curriculum.services import publish_version as publish_any_version
from pathways import evaluation, rules, selectors, tasks
from pathways.models import (
    Enrolment,
    Equivalence,
    Pathway,
    PathwayCompletion,
    PathwayVersion,
    PrerequisiteOverride,
    Reevaluation,
    StackingProfile,
)
from pathways.selectors.facts import cohort_facts
from pathways.signals import pathway_completed, pathway_voided

# Learners loaded and evaluated per batch of a re-evaluation: two set-based
# queries each, and few enough rows (about ten completions a learner) to keep a
# worker's memory flat.
REEVALUATION_BATCH = 500


def all_of(module_codes: Sequence[str]) -> dict:
    return {
        "type": "all",
        "children": [{"type": "module", "code": c} for c in module_codes],
    }


def check_rule(organization: Organization, rule: dict, *, pathway_code: str) -> None:
    """Refuse, in words, a rule that is malformed, unreachable or cyclic."""
    if not isinstance(rule, dict):
        raise ValidationError({"rule": "A rule must be a JSON object."})
    try:
        rules.validate_rule(rule)
    except rules.RuleError as error:
        raise ValidationError({"rule": str(error)}) from error
    codes = set(rules.module_codes(rule))
    if (
        not codes
        and not rules.pathway_codes(rule)
        and not rules.tags(rule)
        and rule.get("type") != "external"
    ):
        raise ValidationError({"rule": "A pathway needs at least one module."})
    known = set(
        Module.objects.filter(organization=organization, code__in=codes).values_list(
            "code", flat=True
        )
    )
    if unknown := sorted(codes - known):
        raise ValidationError({"rule": f"No such module: {', '.join(unknown)}."})
    nested = set(rules.pathway_codes(rule))
    existing = set(
        Pathway.objects.filter(organization=organization, code__in=nested).values_list(
            "code", flat=True
        )
    )
    if unknown := sorted(nested - existing):
        raise ValidationError({"rule": f"No such pathway: {', '.join(unknown)}."})
    found = selectors.catalogue_for(organization).catalogue
    # Other pathways as their latest version says, drafts included: a cycle
    # through a draft would bite once it is published.
    latest = {
        v.pathway.code: v.rule
        for v in PathwayVersion.objects.filter(pathway__organization=organization)
        .select_related("pathway")
        .order_by("pathway_id", "number")
    }
    catalogue = rules.Catalogue(
        home=found.home,
        modules={c: found.modules.get(c) or rules.ModuleInfo(c) for c in known}
        | dict(found.modules),
        pathways=latest,
    )
    try:
        rules.validate_rule(rule, catalogue, pathway_code=pathway_code)
    except rules.RuleError as error:
        raise ValidationError({"rule": str(error)}) from error


@transaction.atomic
def create_pathway_version(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    code: str,
    title: str,
    summary: str = "",
    rule: dict,
    valid_for_days: int | None = None,
) -> PathwayVersion:
    check_rule(organization, rule, pathway_code=code)
    pathway, _ = Pathway.objects.get_or_create(organization=organization, code=code)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    number = next_draft_number(pathway.versions, label=f"Pathway {code}")
    version = PathwayVersion(
        pathway=pathway,
        number=number,
        title=title,
        summary=summary,
        rule=rule,
        valid_for_days=valid_for_days,
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
    version = (
        PathwayVersion.objects.select_for_update()
        .select_related("pathway__organization")
        .get(pk=version.pk)
    )
    ensure_editable(version)
    check_rule(version.organization, rule, pathway_code=version.code)
    version.rule = rule
    version.save(update_fields=["rule"])
    log_action(
        by,
        "rule.updated",
        version,
        organization=version.organization,
        summary=rules.describe(
            rule, selectors.catalogue_for(version.organization).catalogue
        ),
    )
    return version


@transaction.atomic
def publish_pathway_version(
    version: PathwayVersion, *, by: AbstractBaseUser, changelog: str
) -> PathwayVersion:
    """Publish once the rule holds together and every module it names has a
    published version."""
    organization = version.organization
    check_rule(organization, version.rule, pathway_code=version.code)
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


# ------------------------------------------------------------------ evaluating


def evaluate_learner_pathways(learner: AbstractBaseUser) -> list[PathwayCompletion]:
    """Void what no longer holds, then record (or renew) what the learner now
    satisfies; safe to run twice. A batch of one (pathways/evaluation.py)."""
    return evaluation.evaluate_pathways([learner.pk])


@transaction.atomic
def void_pathway_completion(
    completion: PathwayCompletion, *, reason: str, by: AbstractBaseUser | None = None
) -> PathwayCompletion:
    """Void a pathway completion; the credentials app revokes its award."""
    count = PathwayCompletion.objects.filter(
        pk=completion.pk, voided_at__isnull=True
    ).update(voided_at=timezone.now())
    completion.refresh_from_db()
    if not count:
        return completion  # voided already: a second run changes nothing
    log_action(
        by,
        "pathway.voided",
        completion,
        organization=completion.version.organization,
        learner=completion.learner_id,
        reason=reason,
    )
    learner_id = completion.learner_id
    transaction.on_commit(
        lambda: pathway_voided.send(
            sender=PathwayCompletion, completion_id=completion.pk, learner_id=learner_id
        )
    )
    return completion


@transaction.atomic
def record_pathway_completion(
    learner: AbstractBaseUser, version: PathwayVersion, *, trace: dict, on=None
) -> PathwayCompletion:
    """One live completion per learner and version; an expired one is renewed."""
    on = on or timezone.now()
    existing = PathwayCompletion.objects.live().filter(learner=learner, version=version)
    renewed = None
    if found := existing.select_for_update().first():
        if not found.is_expired(on):
            return found
        found.renewed_at = on
        found.save(update_fields=["renewed_at"])
        renewed = found
    expires_at = (
        on + timedelta(days=version.valid_for_days) if version.valid_for_days else None
    )
    try:
        with transaction.atomic():
            completion = PathwayCompletion.objects.create(
                learner=learner,
                version=version,
                trace=trace,
                completed_at=on,
                expires_at=expires_at,
            )
    except IntegrityError:
        return existing.get()
    log_action(
        None,
        "pathway.recertified" if renewed else "pathway.completed",
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


@transaction.atomic
def award_pathway(
    learner: AbstractBaseUser,
    version: PathwayVersion,
    *,
    on: datetime,
    expires_at: datetime | None = None,
    by: AbstractBaseUser | None = None,
) -> tuple[PathwayCompletion, bool]:
    """A pathway completion awarded directly by the organization (a bulk
    award), not earned through its rule: evaluation never voids it. The
    learner's live completion, if any, stands instead; (completion, made)."""
    existing = PathwayCompletion.objects.live().filter(learner=learner, version=version)
    if found := existing.select_for_update().first():
        return found, False
    if expires_at is None and version.valid_for_days:
        expires_at = on + timedelta(days=version.valid_for_days)
    try:
        with transaction.atomic():
            completion = PathwayCompletion.objects.create(
                learner=learner,
                version=version,
                trace={"awarded": True},
                completed_at=on,
                expires_at=expires_at,
            )
    except IntegrityError:
        return existing.get(), False
    log_action(
        by,
        "pathway.awarded",
        completion,
        organization=version.organization,
        learner=learner.pk,
    )
    transaction.on_commit(
        lambda: pathway_completed.send(
            sender=PathwayCompletion, completion_id=completion.pk, learner_id=learner.pk
        )
    )
    return completion, True


# ---------------------------------------------------------------- equivalences


@transaction.atomic
def approve_equivalence(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    issuer: str,
    achievement: str,
    module: Module | None = None,
    note: str = "",
) -> Equivalence:
    """Record an approved crosswalk and re-evaluate the pathways it touches."""
    issuer, achievement = issuer.strip(), achievement.strip()
    if not issuer or not achievement:
        raise ValidationError("Name the issuer and the achievement.")
    if module is not None and module.organization_id != organization.pk:
        raise ValidationError({"module": "Choose one of your organization's modules."})
    if issuer == organization.slug:
        raise ValidationError(
            {"issuer": "An equivalence maps another issuer's credential to yours."}
        )
    if (
        Equivalence.objects.approved()
        .filter(
            organization=organization,
            issuer=issuer,
            achievement=achievement,
            module=module,
        )
        .exists()
    ):
        raise ValidationError("This equivalence is already approved.")
    equivalence = Equivalence.objects.create(
        organization=organization,
        issuer=issuer,
        achievement=achievement,
        module=module,
        note=note,
        approved_by=by,
        approved_at=timezone.now(),
    )
    log_action(
        by,
        "equivalence.approved",
        equivalence,
        organization=organization,
        issuer=issuer,
        achievement=achievement,
        module=module.code if module else "",
    )
    _reevaluate_organization(organization, by=by, reason=f"Equivalence {equivalence}")
    return equivalence


@transaction.atomic
def withdraw_equivalence(
    equivalence: Equivalence, *, by: AbstractBaseUser
) -> Equivalence:
    if equivalence.withdrawn_at:
        raise ValidationError("This equivalence is already withdrawn.")
    equivalence.withdrawn_at = timezone.now()
    equivalence.save(update_fields=["withdrawn_at"])
    log_action(
        by, "equivalence.withdrawn", equivalence, organization=equivalence.organization
    )
    return equivalence


def _reevaluate_organization(
    organization: Organization, *, by: AbstractBaseUser, reason: str
) -> None:
    for version in PathwayVersion.objects.published().filter(
        pathway__organization=organization
    ):
        if version.enrolments.exists():
            start_reevaluation(version, by=by, reason=reason)


# ------------------------------------------------------------ stacking profile


@transaction.atomic
def set_stacking(
    module: Module,
    *,
    by: AbstractBaseUser,
    tags: Sequence[str] = (),
    prerequisite: dict | None = None,
) -> StackingProfile:
    """A module's tags and prerequisite (a rule of the same kind as a pathway's)."""
    tags = sorted({t.strip() for t in tags if t.strip()})
    if prerequisite:
        if module.code in rules.module_codes(prerequisite):
            raise ValidationError(
                {"prerequisite": f"{module.code} cannot be its own prerequisite."}
            )
        check_rule(module.organization, prerequisite, pathway_code="")
        _check_prerequisite_cycle(module, prerequisite)
    profile, _ = StackingProfile.objects.update_or_create(
        module=module, defaults={"tags": tags, "prerequisite": prerequisite or None}
    )
    log_action(
        by,
        "module.stacking",
        profile,
        organization=module.organization,
        tags=tags,
        prerequisite=rules.describe(prerequisite) if prerequisite else "",
    )
    return profile


def _check_prerequisite_cycle(module: Module, prerequisite: dict) -> None:
    profiles = {
        p.module.code: p.prerequisite
        for p in StackingProfile.objects.filter(
            module__organization=module.organization, prerequisite__isnull=False
        ).select_related("module")
    }
    profiles[module.code] = prerequisite
    path = [module.code]

    def visit(code: str) -> None:
        for inner in rules.module_codes(
            profiles.get(code) or {"type": "all", "children": []}
        ):
            if inner == module.code:
                raise ValidationError(
                    {
                        "prerequisite": "Prerequisites cannot go round in a circle: "
                        + " → ".join([*path, inner])
                        + "."
                    }
                )
            if inner not in path:
                path.append(inner)
                visit(inner)
                path.pop()

    visit(module.code)


@transaction.atomic
def override_prerequisite(
    learner: AbstractBaseUser, module: Module, *, by: AbstractBaseUser, reason: str
) -> PrerequisiteOverride:
    """Waive a module's prerequisite for one learner, with the reason (audited);
    faculty and administrators of the module's organization may."""
    organization = module.organization
    if not has_role(by, organization, Membership.Role.FACULTY, Membership.Role.ADMIN):
        raise ValidationError(
            "Only faculty or administrators of this organization can waive a "
            "prerequisite."
        )
    errors = {}
    if not has_role(learner, organization, Membership.Role.LEARNER):
        errors["learner"] = "The person is not a learner of this organization."
    if not reason.strip():
        errors["reason"] = "Give the reason for waiving the prerequisite."
    elif len(reason) > 2000:
        errors["reason"] = "Keep the reason under 2,000 characters."
    if (
        not errors
        and PrerequisiteOverride.objects.filter(learner=learner, module=module).exists()
    ):
        errors["learner"] = (
            f"The prerequisite of {module.code} is already waived for this learner."
        )
    if errors:
        raise ValidationError(errors)
    override = PrerequisiteOverride.objects.create(
        learner=learner,
        module=module,
        reason=reason.strip(),
        granted_by=by,
        granted_at=timezone.now(),
    )
    log_action(
        by,
        "prerequisite.overridden",
        override,
        organization=organization,
        learner=learner.pk,
        module=module.code,
        reason=override.reason,
    )
    return override


# ----------------------------------------------------- cohorts and bulk work


@transaction.atomic
def start_reevaluation(
    version: PathwayVersion, *, by: AbstractBaseUser | None, reason: str
) -> Reevaluation:
    """Queue a batched re-evaluation of everyone enrolled in the version."""
    run = Reevaluation.objects.create(
        version=version,
        reason=reason[:200],
        requested_by=by,
        total=version.enrolments.count(),
    )
    log_action(by, "reevaluation.started", run, organization=version.organization)
    tasks.run_reevaluation.delay_on_commit(run.pk)
    return run


def run_reevaluation(run: Reevaluation) -> Reevaluation:
    """Evaluate the cohort in batches with set-based loading; safe to run twice."""
    # A run left "running" by a worker that died is taken up again: recording
    # and voiding are idempotent, so only a finished run is left alone.
    claimed = (
        Reevaluation.objects.filter(pk=run.pk)
        .exclude(status=Reevaluation.Status.DONE)
        .update(
            status=Reevaluation.Status.RUNNING,
            processed=0,
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )
    run.refresh_from_db()
    if not claimed:
        return run
    version = PathwayVersion.objects.select_related("pathway__organization").get(
        pk=run.version_id
    )
    now = timezone.now()
    found = selectors.catalogue_for(version.organization).catalogue
    compiled = rules.compile_rule(version.rule, found)
    learner_ids = list(
        version.enrolments.order_by("learner_id").values_list("learner_id", flat=True)
    )
    User = get_user_model()
    processed = recorded = voided = 0
    try:
        for start in range(0, len(learner_ids), REEVALUATION_BATCH):
            batch = learner_ids[start : start + REEVALUATION_BATCH]
            facts = cohort_facts(batch, on=now)
            live = {
                c.learner_id: c
                for c in PathwayCompletion.objects.live().filter(
                    version=version, learner_id__in=batch
                )
            }
            for learner_id in batch:
                mine = facts.get(learner_id, [])
                completion = live.get(learner_id)
                if completion is not None:
                    others = [
                        f
                        for f in mine
                        if not (f.kind == "pathway" and f.id == completion.pk)
                    ]
                    held = compiled.evaluate(
                        others, completion.completed_at, explain=False
                    ).satisfied
                    if not held:
                        void_pathway_completion(
                            completion, reason=f"Re-evaluation: {run.reason}"
                        )
                        voided += 1
                    if held and not completion.is_expired(now):
                        continue
                evaluation = compiled.evaluate(mine, now, explain=False)
                if evaluation.satisfied:
                    traced = compiled.evaluate(mine, now)
                    record_pathway_completion(
                        User(pk=learner_id), version, trace=traced.trace(), on=now
                    )
                    recorded += 1
            processed += len(batch)
            Reevaluation.objects.filter(pk=run.pk).update(
                processed=processed,
                recorded=recorded,
                voided=voided,
                heartbeat_at=timezone.now(),
            )
    except Exception:
        Reevaluation.objects.filter(pk=run.pk).update(status=Reevaluation.Status.FAILED)
        raise
    Reevaluation.objects.filter(pk=run.pk).update(
        status=Reevaluation.Status.DONE,
        finished_at=timezone.now(),
        total=len(learner_ids),
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def move_cohort(
    source: PathwayVersion, target: PathwayVersion, *, by: AbstractBaseUser
) -> int:
    """Move everyone enrolled in source to the newer target version."""
    if source.pathway_id != target.pathway_id or target.number <= source.number:
        raise ValidationError("Move a cohort only to a newer version of its pathway.")
    if target.status != PathwayVersion.Status.PUBLISHED:
        raise ValidationError("Move a cohort only to a published version.")
    already = Enrolment.objects.filter(version=target).values_list("learner_id")
    moving = Enrolment.objects.filter(version=source).exclude(learner_id__in=already)
    moved = moving.update(version=target)
    log_action(
        by,
        "cohort.moved",
        target,
        organization=target.organization,
        source=source.pk,
        learners=moved,
    )
    if moved:
        start_reevaluation(target, by=by, reason=f"Cohort moved from v{source.number}")
    return moved
