"""Every change to curriculum goes through here."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership, Organization
from curriculum import badge_design, lifecycle
from curriculum.badge_images import BadgeImageError, check_badge_image
from curriculum.content import for_digest, version_content
from curriculum.diff import codes_in, diff_content
from curriculum.digest import content_digest
from curriculum.models import (
    Competency,
    Module,
    ModuleVersion,
    Outcome,
    VersionedContent,
    VersionFrozenError,
)
from curriculum.selectors import titles_by_code
from curriculum.signals import version_published


def ensure_editable(version: VersionedContent) -> None:
    if version.is_frozen:
        raise VersionFrozenError(version)
    if version.status == version.Status.IN_REVIEW:
        raise ValidationError(
            f"{version} is in review; it can be edited again once the board asks "
            "for changes.",
            code="in_review",
        )
    if not version.is_editable:
        raise ValidationError(
            f"{version} is {version.get_status_display().lower()}; only a draft "
            "can be edited.",
            code="not_draft",
        )


def next_draft_number(versions: QuerySet, *, label: str) -> int:
    """The number of a new draft of a module or pathway; one draft at a time.
    The caller holds a lock on the module or pathway row."""
    if versions.drafts().exists():
        raise ValidationError(
            f"{label} already has a draft. Edit that draft instead.",
            code="draft_exists",
        )
    return (versions.aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def add_member(
    organization: Organization, user: AbstractBaseUser, *, role: str, by=None
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organization=organization, user=user, role=role
    )
    if created:
        log_action(by, "member.added", membership, organization=organization, role=role)
    return membership


@transaction.atomic
def create_module_version(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    code: str,
    title: str,
    summary: str = "",
    criteria_narrative: str = "",
    credits: Decimal = Decimal("5.0"),
    level: str = "",
    notional_hours: int | None = None,
    valid_for_days: int | None = None,
    delivery_mode: str = "",
    language: str = "en",
    prerequisites: Iterable[Module] = (),
    badge_image: bytes | None = None,
) -> ModuleVersion:
    """Start a draft: a new module, or the next version of an existing one."""
    module, _ = Module.objects.get_or_create(organization=organization, code=code)
    module = Module.objects.select_for_update().get(pk=module.pk)
    number = next_draft_number(module.versions, label=f"Module {code}")
    version = ModuleVersion(
        module=module,
        number=number,
        title=title,
        summary=summary,
        criteria_narrative=criteria_narrative,
        credits=credits,
        level=level,
        notional_hours=notional_hours,
        valid_for_days=valid_for_days,
        delivery_mode=delivery_mode,
        language=language or "en",
        created_by=by,
    )
    version.full_clean()
    _check_prerequisites(module, prerequisites)
    if badge_image is not None:
        _attach_badge(version, badge_image)
    version.save()
    version.prerequisites.set(prerequisites)
    log_action(by, "version.created", version, organization=organization)
    return version


def _check_prerequisites(module: Module, prerequisites: Iterable[Module]) -> None:
    for required in prerequisites:
        if required.pk == module.pk:
            raise ValidationError(
                {"prerequisites": "A module cannot be its own prerequisite."}
            )
        if required.organization_id != module.organization_id:
            raise ValidationError(
                {"prerequisites": f"{required} belongs to another organization."}
            )


BADGE_FIELDS = ["badge_image", "badge_png", "badge_design"]


def _attach_badge(version: VersionedContent, data: bytes) -> None:
    """An uploaded badge replaces any design: the image is what it is."""
    try:
        image = check_badge_image(data)
    except BadgeImageError as error:
        raise ValidationError({"badge_image": str(error)}) from error
    name = f"{version.code}-v{version.number}.{image.extension}"
    version.badge_image.save(name, ContentFile(image.content), save=False)
    version.badge_png = ""
    version.badge_design = {}


def _drop_badge(version: VersionedContent) -> None:
    # The files stay in storage: a published version may share them.
    version.badge_image = ""
    version.badge_png = ""
    version.badge_design = {}


def _locked_draft(version: VersionedContent) -> VersionedContent:
    version = type(version).objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    return version


@transaction.atomic
def design_badge(
    version: VersionedContent, *, by: AbstractBaseUser, design: dict
) -> VersionedContent:
    """Draw a draft's badge from the designer's description: an SVG and a PNG,
    stored with the description, frozen with the version when it is published."""
    version = _locked_draft(version)
    try:
        drawn = badge_design.design_from(design)
    except badge_design.BadgeDesignError as error:
        raise ValidationError({"badge_design": str(error)}) from error
    name = f"{version.code}-v{version.number}"
    svg = badge_design.render_svg(drawn, title=f"Badge of {version.title}")
    version.badge_image.save(f"{name}.svg", ContentFile(svg), save=False)
    png = badge_design.render_png(drawn)
    version.badge_png.save(f"{name}.png", ContentFile(png), save=False)
    version.badge_design = drawn.as_dict()
    version.save(update_fields=BADGE_FIELDS)
    log_action(
        by,
        "version.badge_designed",
        version,
        organization=version.organization,
        **drawn.as_dict(),
    )
    return version


@transaction.atomic
def upload_badge(
    version: VersionedContent, *, by: AbstractBaseUser, data: bytes
) -> VersionedContent:
    """Give a draft an uploaded badge image (a PNG, or an SVG made safe)."""
    version = _locked_draft(version)
    _attach_badge(version, data)
    version.save(update_fields=BADGE_FIELDS)
    log_action(
        by,
        "version.badge_uploaded",
        version,
        organization=version.organization,
        file=version.badge_image.name.rsplit("/", 1)[-1],
    )
    return version


@transaction.atomic
def remove_badge(
    version: VersionedContent, *, by: AbstractBaseUser
) -> VersionedContent:
    """Take a draft's badge away; published versions keep theirs."""
    version = _locked_draft(version)
    _drop_badge(version)
    version.save(update_fields=BADGE_FIELDS)
    log_action(by, "version.badge_removed", version, organization=version.organization)
    return version


@transaction.atomic
def add_outcome(
    version: ModuleVersion,
    *,
    by: AbstractBaseUser,
    statement: str,
    competencies: list[Competency] = (),
    action_verb: str = "",
    proficiency_level: str = "",
) -> Outcome:
    version = ModuleVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    statement, action_verb = _outcome_text(statement, action_verb)
    position = (version.outcomes.aggregate(n=Max("position"))["n"] or 0) + 1
    outcome = Outcome(
        version=version,
        position=position,
        statement=statement,
        action_verb=action_verb,
        proficiency_level=proficiency_level,
    )
    outcome.full_clean(exclude=["version"])
    outcome.save()
    _check_alignable(version, competencies)
    outcome.competencies.set(competencies)
    log_action(by, "outcome.added", outcome, organization=version.organization)
    return outcome


@transaction.atomic
def update_version(
    version: VersionedContent, *, by: AbstractBaseUser, **fields: object
) -> VersionedContent:
    version = type(version).objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    version.save(update_fields=list(fields))
    log_action(
        by,
        "version.updated",
        version,
        organization=version.organization,
        fields=list(fields),
    )
    return version


@transaction.atomic
def publish_version(
    version: VersionedContent,
    *,
    by: AbstractBaseUser,
    changelog: str,
    content: dict | None = None,
    review_due_on: date | None = None,
) -> VersionedContent:
    """Freeze an approved version with its digest and its diff from the previous
    published version; learners enrol in and earn against it from now on.

    In an organization without an advisory board an administrator's publishing of a
    draft approves it first, recorded as its own transition. content is the
    version's plain content where the caller gathers it; by default it is read here.
    """
    version = type(version).objects.select_for_update().get(pk=version.pk)
    changelog = changelog.strip()
    if not changelog:
        raise ValidationError({"changelog": "Say what this version changes."})
    if review_due_on is not None and review_due_on <= timezone.localdate():
        raise ValidationError({"review_due_on": "Set the next review in the future."})
    if version.status == version.Status.DRAFT and not lifecycle.has_advisory_board(
        version.organization
    ):
        version = lifecycle.transition(
            version,
            version.Status.APPROVED,
            by=by,
            reason=f"{version.organization} has no advisory board: approved by an "
            "administrator on publishing.",
        )
    lifecycle.check_transition(
        version.status, version.Status.PUBLISHED, subject=str(version)
    )
    if content is None:
        content = version_content(version)
    previous = lifecycle.previous_published(version)
    before = version_content(previous) if previous is not None else None
    published = lifecycle.transition(
        version,
        version.Status.PUBLISHED,
        by=by,
        reason=changelog,
        changelog=changelog,
        published_at=timezone.now(),
        published_by=by,
        digest=content_digest(for_digest(content)),
        diff={
            "from_version": previous.number if previous is not None else None,
            "changes": diff_content(
                before,
                content,
                titles_by_code(
                    ModuleVersion,
                    "module",
                    version.organization,
                    codes_in(before) | codes_in(content),
                ),
            ),
        },
        review_due_on=review_due_on or lifecycle.default_review_due_on(),
    )
    model, version_id = type(published), published.pk
    transaction.on_commit(
        lambda: version_published.send(sender=model, version_id=version_id)
    )
    return published


# Module drafts and their outcomes (issue 4) ----------------------------------

UPDATABLE_VERSION_FIELDS = frozenset(
    {
        "title",
        "summary",
        "criteria_narrative",
        "credits",
        "level",
        "notional_hours",
        "valid_for_days",
        "delivery_mode",
        "language",
    }
)


@transaction.atomic
def update_module_version(
    version: ModuleVersion,
    *,
    by: AbstractBaseUser,
    prerequisites: Iterable[Module] | None = None,
    badge_image: bytes | None = None,
    remove_badge_image: bool = False,
    **fields: object,
) -> ModuleVersion:
    """Edit a draft's fields, prerequisites and badge image in one change."""
    unknown = set(fields) - UPDATABLE_VERSION_FIELDS
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    version = ModuleVersion.objects.select_for_update().get(pk=version.pk)
    ensure_editable(version)
    changed = list(fields)
    for name, value in fields.items():
        setattr(version, name, value)
    version.full_clean()
    if prerequisites is not None:
        prerequisites = list(prerequisites)
        _check_prerequisites(version.module, prerequisites)
    if badge_image is not None:
        _attach_badge(version, badge_image)
        changed.extend(BADGE_FIELDS)
    elif remove_badge_image and version.has_badge:
        _drop_badge(version)
        changed.extend(BADGE_FIELDS)
    if changed:
        version.save(update_fields=changed)
    if prerequisites is not None:
        version.prerequisites.set(prerequisites)
        changed.append("prerequisites")
    log_action(
        by,
        "version.updated",
        version,
        organization=version.organization,
        fields=changed,
    )
    return version


def _outcome_text(statement: str, action_verb: str) -> tuple[str, str]:
    """The statement and its action verb: given, or the statement's first word."""
    statement = statement.strip()
    action_verb = action_verb.strip()
    if not statement:
        raise ValidationError({"statement": "Write the outcome as a statement."})
    if not action_verb:
        action_verb = statement.split()[0].strip(".,;:!?").lower()[:40]
    elif not statement.lower().startswith(action_verb.lower()):
        raise ValidationError(
            {
                "action_verb": f"Start the statement with its action verb "
                f"(“{action_verb.capitalize()} …”)."
            }
        )
    return statement, action_verb.lower()


def _check_alignable(
    version: ModuleVersion, competencies: Iterable[Competency]
) -> None:
    for competency in competencies:
        framework = competency.framework
        if (
            framework.organization_id != version.module.organization_id
            and framework.status != framework.Status.PUBLISHED
        ):
            raise ValidationError(
                {"competencies": f"“{framework}” is a draft of another organization."}
            )


def _lock_outcome(outcome: Outcome) -> tuple[Outcome, ModuleVersion]:
    version = ModuleVersion.objects.select_for_update().get(pk=outcome.version_id)
    ensure_editable(version)
    return Outcome.objects.get(pk=outcome.pk), version


@transaction.atomic
def update_outcome(
    outcome: Outcome,
    *,
    by: AbstractBaseUser,
    statement: str,
    action_verb: str = "",
    proficiency_level: str = "",
) -> Outcome:
    outcome, version = _lock_outcome(outcome)
    outcome.statement, outcome.action_verb = _outcome_text(statement, action_verb)
    outcome.proficiency_level = proficiency_level
    outcome.full_clean(exclude=["version"])
    outcome.save(update_fields=["statement", "action_verb", "proficiency_level"])
    log_action(by, "outcome.updated", outcome, organization=version.organization)
    return outcome


@transaction.atomic
def move_outcome(outcome: Outcome, *, by: AbstractBaseUser, offset: int) -> Outcome:
    """Move an outcome up (negative offset) or down the list; positions are
    renumbered 1..n so that they stay dense."""
    outcome, version = _lock_outcome(outcome)
    ordered = list(version.outcomes.order_by("position", "pk"))
    index = next(n for n, o in enumerate(ordered) if o.pk == outcome.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    changed = []
    for position, item in enumerate(ordered, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    Outcome.objects.bulk_update(changed, ["position"])
    if changed:
        log_action(
            by,
            "outcome.moved",
            outcome,
            organization=version.organization,
            position=target + 1,
        )
    return next(o for o in ordered if o.pk == outcome.pk)


@transaction.atomic
def remove_outcome(outcome: Outcome, *, by: AbstractBaseUser) -> None:
    outcome, version = _lock_outcome(outcome)
    # Rubric criteria (assessments, above) assess outcomes: reached by name.
    if outcome.criteria.exists():
        raise ValidationError(
            "A rubric criterion assesses this outcome; change the rubric first."
        )
    log_action(
        by,
        "outcome.removed",
        outcome,
        organization=version.organization,
        statement=outcome.statement[:200],
    )
    outcome.delete()
    remaining = list(version.outcomes.order_by("position", "pk"))
    for position, item in enumerate(remaining, start=1):
        item.position = position
    Outcome.objects.bulk_update(remaining, ["position"])


@transaction.atomic
def align_outcome(
    outcome: Outcome, *, by: AbstractBaseUser, competency: Competency
) -> Outcome:
    outcome, version = _lock_outcome(outcome)
    _check_alignable(version, [competency])
    outcome.competencies.add(competency)
    log_action(
        by,
        "outcome.aligned",
        outcome,
        organization=version.organization,
        competency=competency.pk,
    )
    return outcome


@transaction.atomic
def unalign_outcome(
    outcome: Outcome, *, by: AbstractBaseUser, competency: Competency
) -> Outcome:
    outcome, version = _lock_outcome(outcome)
    outcome.competencies.remove(competency)
    log_action(
        by,
        "outcome.unaligned",
        outcome,
        organization=version.organization,
        competency=competency.pk,
    )
    return outcome
