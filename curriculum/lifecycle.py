"""The version lifecycle, enforced in one place (DESIGN.md):

    draft → in_review → approved → published → retired
              ↑   |
              └───┘ changes requested

An organization without an advisory board may have an administrator approve a draft
directly; the transition records that and why. Every move writes a
VersionTransition row and an audit entry in the caller's transaction.
"""

from datetime import date

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import Membership, Organization
from curriculum.models import VersionedContent, VersionFrozenError, VersionTransition

Status = VersionedContent.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW, Status.APPROVED}),
    Status.IN_REVIEW: frozenset({Status.DRAFT, Status.APPROVED}),
    Status.APPROVED: frozenset({Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.RETIRED}),
    Status.RETIRED: frozenset(),
}
# The audit action and the words a refusal uses, per target status.
VERBS = {
    Status.DRAFT: ("returned", "sent back to draft"),
    Status.IN_REVIEW: ("submitted", "submitted for review"),
    Status.APPROVED: ("approved", "approved"),
    Status.PUBLISHED: ("published", "published"),
    Status.RETIRED: ("retired", "retired"),
}
HINTS = {
    Status.DRAFT: "Submit it for review first.",
    Status.IN_REVIEW: "Wait for the advisory board's decision.",
    Status.APPROVED: "Publish it, with a changelog entry.",
    Status.PUBLISHED: "A published version can only be retired.",
    Status.RETIRED: "A retired version stays retired; start a new draft instead.",
}


class IllegalTransition(ValidationError):
    """A move the state machine does not allow, with what would be allowed."""

    def __init__(self, subject: str, from_status: str, to_status: str) -> None:
        label = Status(from_status).label.lower()
        article = "an" if label[0] in "aeiou" else "a"
        super().__init__(
            f"{subject} is {article} {label} version and cannot be "
            f"{VERBS[Status(to_status)][1]}. {HINTS[Status(from_status)]}",
            code="illegal_transition",
        )


def check_transition(from_status: str, to_status: str, *, subject="It") -> None:
    if to_status not in TRANSITIONS.get(from_status, ()):
        raise IllegalTransition(subject, from_status, to_status)


def version_type(version: VersionedContent) -> str:
    return version._meta.label


def has_advisory_board(organization: Organization) -> bool:
    # Boards live in the reviews app above; they are reached by their reverse
    # relation so that curriculum does not import it.
    return Organization.objects.filter(
        pk=organization.pk, advisory_boards__isnull=False
    ).exists()


def _check_direct_approval(version: VersionedContent, by, reason: str) -> None:
    if has_advisory_board(version.organization):
        raise ValidationError(
            f"{version} needs the approval of {version.organization}'s advisory "
            "board: submit it for review.",
            code="board_required",
        )
    if (
        by is None
        or not Membership.objects.filter(
            user=by, organization=version.organization, role=Membership.Role.ADMIN
        ).exists()
    ):
        raise ValidationError(
            "Only an administrator can approve a version without a board review.",
            code="not_admin",
        )
    if not reason.strip():
        raise ValidationError(
            {"reason": "Say why this version is approved without a review."}
        )


@transaction.atomic
def transition(
    version: VersionedContent,
    to_status: str,
    *,
    by: AbstractBaseUser | None,
    reason: str = "",
    **fields: object,
) -> VersionedContent:
    """Move a version to to_status, recording who, when and why."""
    version = type(version).objects.select_for_update().get(pk=version.pk)
    from_status = version.status
    check_transition(from_status, to_status, subject=str(version))
    if (from_status, to_status) == (Status.DRAFT, Status.APPROVED):
        _check_direct_approval(version, by, reason)
    if from_status == Status.IN_REVIEW and not reason.strip():
        raise ValidationError({"reason": "Say why the review ended this way."})
    version.status = to_status
    for name, value in fields.items():
        setattr(version, name, value)
    version.save(update_fields=["status", *fields])
    VersionTransition.objects.create(
        organization=version.organization,
        version_type=version_type(version),
        version_id=version.pk,
        from_status=from_status,
        to_status=to_status,
        by=by if by is not None and by.is_authenticated else None,
        reason=reason.strip(),
    )
    log_action(
        by,
        f"version.{VERBS[Status(to_status)][0]}",
        version,
        organization=version.organization,
        from_status=from_status,
        to_status=to_status,
        reason=reason.strip(),
    )
    return version


def retire_version(
    version: VersionedContent, *, by: AbstractBaseUser, reason: str
) -> VersionedContent:
    """Take a published version out of use; what was earned under it stays valid."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this version is retired."})
    return transition(
        version, Status.RETIRED, by=by, reason=reason, retired_at=timezone.now()
    )


def siblings(version: VersionedContent) -> models.QuerySet:
    """Every version of the same module or pathway (the parent's `versions`)."""
    model = type(version)
    parent = next(
        f
        for f in model._meta.fields
        if f.many_to_one and f.remote_field.related_name == "versions"
    )
    return model.objects.filter(**{parent.name: getattr(version, parent.attname)})


def previous_published(version: VersionedContent) -> VersionedContent | None:
    return (
        siblings(version)
        .filter(status__in=VersionedContent.FROZEN, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def transitions_of(version: VersionedContent) -> models.QuerySet:
    return VersionTransition.objects.filter(
        version_type=version_type(version), version_id=version.pk
    ).select_related("by")


def default_review_due_on(today: date | None = None) -> date:
    """A published version is reviewed again within a year."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


# Fields a new draft does not inherit: identity, lifecycle and publication.
NOT_COPIED = frozenset(
    {
        "id",
        "number",
        "status",
        "created_at",
        "created_by",
        "published_at",
        "published_by",
        "changelog",
        "digest",
        "diff",
        "review_due_on",
        "retired_at",
    }
)


def _copy(instance: models.Model, **changes: object) -> models.Model:
    """A new row with the instance's fields and the given changes."""
    instance.pk = None
    instance.id = None
    instance._state.adding = True
    # Prefetched relations belong to the original row.
    instance.__dict__.pop("_prefetched_objects_cache", None)
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()
    return instance


def _field_value(instance: models.Model, field: models.Field) -> object:
    """A field's value for a copy. A file (the badge image) is referred to by its
    stored name: the draft shares the published version's file, which nothing
    deletes, and an upload to the draft is saved under a name of its own."""
    value = getattr(instance, field.attname)
    if isinstance(field, models.FileField):
        return value.name or ""
    return value


@transaction.atomic
def start_next_draft(
    version: VersionedContent, *, by: AbstractBaseUser
) -> VersionedContent:
    """Editing a published version starts a new draft copied from it: every field
    but identity and lifecycle (NOT_COPIED), its many-to-many relations (a module's
    prerequisites), its badge image (the same stored file), outcomes with all their
    fields and alignments, and assessment tasks with their rubrics (reached by
    reverse relations, so curriculum does not import the apps above)."""
    model = type(version)
    version = model.objects.get(pk=version.pk)
    if version.status not in VersionedContent.FROZEN:
        raise ValidationError(
            f"{version} is not published yet: edit it as it is.", code="not_published"
        )
    parent_field = next(
        f
        for f in model._meta.fields
        if f.many_to_one and f.remote_field.related_name == "versions"
    )
    parent = parent_field.related_model.objects.select_for_update().get(
        pk=getattr(version, parent_field.attname)
    )
    siblings_ = model.objects.filter(**{parent_field.name: parent})
    if busy := siblings_.exclude(status__in=VersionedContent.FROZEN).first():
        raise ValidationError(
            f"{parent} already has version {busy.number} in progress "
            f"({busy.get_status_display().lower()}). Work on that one instead.",
            code="draft_exists",
        )
    number = max(siblings_.values_list("number", flat=True)) + 1
    draft = model(
        **{
            f.attname: _field_value(version, f)
            for f in model._meta.concrete_fields
            if f.name not in NOT_COPIED
        },
        number=number,
        created_by=by,
    )
    draft.save()
    for field in model._meta.many_to_many:
        getattr(draft, field.name).set(getattr(version, field.name).all())
    outcome_map = {}
    if hasattr(version, "outcomes"):
        for outcome in version.outcomes.prefetch_related("competencies"):
            competencies = list(outcome.competencies.all())
            old_pk = outcome.pk
            outcome = _copy(outcome, version=draft)
            outcome.competencies.set(competencies)
            outcome_map[old_pk] = outcome.pk
    if hasattr(version, "tasks"):
        _copy_tasks(version, draft, outcome_map)
    log_action(
        by,
        "version.drafted",
        draft,
        organization=draft.organization,
        copied_from=version.number,
    )
    return draft


def _copy_tasks(version, draft, outcome_map: dict[int, int]) -> None:
    tasks = version.tasks.select_related("rubric").prefetch_related(
        "rubric__criteria__levels", "rubric__criteria__outcomes"
    )
    for task in tasks:
        rubric = getattr(task, "rubric", None)
        criteria = list(rubric.criteria.all()) if rubric else []
        task = _copy(task, version=draft)
        if rubric is None:
            continue
        rubric = _copy(rubric, task=task)
        for criterion in criteria:
            levels = list(criterion.levels.all())
            outcomes = [outcome_map[o.pk] for o in criterion.outcomes.all()]
            criterion = _copy(criterion, rubric=rubric)
            criterion.outcomes.set(outcomes)
            for level in levels:
                _copy(level, criterion=criterion)


# Content below a version: the path from each model to its version. A published
# version's content is frozen; the database triggers (reviews migration) back this.
FROZEN_CONTENT = {
    "curriculum.Outcome": "version",
    "assessments.Rubric": "task__version",
    "assessments.Criterion": "rubric__task__version",
    "assessments.Level": "criterion__rubric__task__version",
}


class FrozenContentError(ValidationError):
    def __init__(self, model: type[models.Model]) -> None:
        super().__init__(
            f"This {model._meta.verbose_name} belongs to a published version and can "
            "no longer change. Start a new draft to make changes.",
            code="frozen",
        )


def _statuses(model: type[models.Model], path: str, **lookup) -> set[str]:
    return set(
        model._default_manager.filter(**lookup).values_list(
            f"{path}__status", flat=True
        )
    )


def _parent_statuses(model: type[models.Model], instance: models.Model) -> set[str]:
    """The status of the version the instance would belong to once saved."""
    path = FROZEN_CONTENT[model._meta.label]
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    parent_pk = getattr(instance, field.attname)
    if parent_pk is None:
        return set()
    rest_path = f"{rest}__status" if rest else "status"
    return set(
        field.related_model._default_manager.filter(pk=parent_pk).values_list(
            rest_path, flat=True
        )
    )


def refuse_frozen_save(sender, instance, raw=False, **kwargs) -> None:
    if raw:  # loaddata
        return
    statuses = _parent_statuses(sender, instance)
    if instance.pk is not None:
        statuses |= _statuses(
            sender, FROZEN_CONTENT[sender._meta.label], pk=instance.pk
        )
    if statuses & VersionedContent.FROZEN:
        raise FrozenContentError(sender)


def refuse_frozen_delete(sender, instance, **kwargs) -> None:
    if _statuses(sender, FROZEN_CONTENT[sender._meta.label], pk=instance.pk) & (
        VersionedContent.FROZEN
    ):
        raise FrozenContentError(sender)


# Many-to-many relations frozen with a published version: the model that declares
# the field, the field, and the path from that model to its version's status.
FROZEN_RELATIONS = {
    ("curriculum.Outcome", "competencies"): "version__status",
    ("assessments.Criterion", "outcomes"): "rubric__task__version__status",
    ("curriculum.ModuleVersion", "prerequisites"): "status",
}


def refuse_frozen_alignment(sender, instance, action, reverse, model, pk_set, **kw):
    """Alignments (outcome ↔ competency, criterion ↔ outcome) and a module
    version's prerequisites are frozen with a published version too."""
    if not action.startswith("pre_"):
        return
    owner = type(instance) if not reverse else model
    found = [
        (field, path)
        for (label, field), path in FROZEN_RELATIONS.items()
        if label == owner._meta.label
        and owner._meta.get_field(field).remote_field.through is sender
    ]
    if not found:
        return
    field, path = found[0]
    if not reverse:
        owners = owner._default_manager.filter(pk=instance.pk)
    elif action == "pre_clear":
        if owner._meta.label != "curriculum.ModuleVersion":
            return  # a competency or outcome being deleted: its own guard decides
        # module.required_by.clear(): every version that requires the module.
        owners = owner._default_manager.filter(**{field: instance.pk})
    else:
        owners = owner._default_manager.filter(pk__in=list(pk_set or ()))
    if path == "status":  # the version itself: name it
        if frozen := owners.filter(status__in=VersionedContent.FROZEN).first():
            raise VersionFrozenError(frozen)
    elif set(owners.values_list(path, flat=True)) & VersionedContent.FROZEN:
        raise FrozenContentError(owner)


def connect_frozen_content_guards() -> None:
    """Refuse ORM changes to a published version's content (called once at start)."""
    for label in FROZEN_CONTENT:
        model = apps.get_model(label)
        pre_save.connect(refuse_frozen_save, sender=model, dispatch_uid=f"f-s-{label}")
        pre_delete.connect(
            refuse_frozen_delete, sender=model, dispatch_uid=f"f-d-{label}"
        )
    for label, field in FROZEN_RELATIONS:
        through = apps.get_model(label)._meta.get_field(field).remote_field.through
        m2m_changed.connect(
            refuse_frozen_alignment, sender=through, dispatch_uid=f"f-m-{label}"
        )
