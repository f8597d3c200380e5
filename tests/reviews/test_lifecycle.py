"""The state machine: every legal and illegal transition, and what each records."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEntry
from curriculum import content, lifecycle, services
from curriculum.models import ModuleVersion, VersionTransition
from tests import builders

S = ModuleVersion.Status
ALL = [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.PUBLISHED, S.RETIRED]
LEGAL = {
    (S.DRAFT, S.IN_REVIEW),
    (S.DRAFT, S.APPROVED),
    (S.IN_REVIEW, S.DRAFT),
    (S.IN_REVIEW, S.APPROVED),
    (S.APPROVED, S.PUBLISHED),
    (S.PUBLISHED, S.RETIRED),
}


@pytest.mark.parametrize("to_status", ALL)
@pytest.mark.parametrize("from_status", ALL)
def test_the_transition_table(from_status, to_status):
    if (from_status, to_status) in LEGAL:
        lifecycle.check_transition(from_status, to_status)
    else:
        with pytest.raises(lifecycle.IllegalTransition, match="cannot be"):
            lifecycle.check_transition(from_status, to_status)


def _at(cast, status):
    """A module version brought to status through the lifecycle."""
    version = builders.make_module(cast, f"S-{status}", publish=False).version
    admin = cast["admin"]
    if status == S.IN_REVIEW:
        version = lifecycle.transition(version, S.IN_REVIEW, by=cast["designer"])
    if status in {S.APPROVED, S.PUBLISHED, S.RETIRED}:
        version = lifecycle.transition(version, S.APPROVED, by=admin, reason="No board")
    if status in {S.PUBLISHED, S.RETIRED}:
        version = services.publish_version(version, by=admin, changelog="First")
    if status == S.RETIRED:
        version = lifecycle.retire_version(version, by=admin, reason="Superseded")
    return ModuleVersion.objects.get(pk=version.pk)


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(a, b) for a in ALL for b in ALL if (a, b) not in LEGAL and a != b],
)
def test_an_illegal_transition_is_refused_and_changes_nothing(
    cast, from_status, to_status
):
    version = _at(cast, from_status)
    recorded = VersionTransition.objects.count()
    with pytest.raises(ValidationError, match="cannot be") as raised:
        lifecycle.transition(version, to_status, by=cast["admin"], reason="Try")
    assert str(version) in raised.value.messages[0]
    assert ModuleVersion.objects.get(pk=version.pk).status == from_status
    assert VersionTransition.objects.count() == recorded


def test_each_legal_transition_records_who_when_and_why(cast):
    version = _at(cast, S.DRAFT)
    designer, admin = cast["designer"], cast["admin"]
    version = lifecycle.transition(version, S.IN_REVIEW, by=designer, reason="Ready")
    version = lifecycle.transition(version, S.DRAFT, by=admin, reason="Needs work")
    version = lifecycle.transition(version, S.IN_REVIEW, by=designer)
    version = lifecycle.transition(version, S.APPROVED, by=admin, reason="Board: 2/3")
    version = services.publish_version(version, by=admin, changelog="First release")
    version = lifecycle.retire_version(version, by=admin, reason="Replaced by v2")
    moves = list(
        lifecycle.transitions_of(version).values_list(
            "from_status", "to_status", "by__username", "reason"
        )
    )
    assert moves == [
        ("draft", "in_review", designer.username, "Ready"),
        ("in_review", "draft", admin.username, "Needs work"),
        ("draft", "in_review", designer.username, ""),
        ("in_review", "approved", admin.username, "Board: 2/3"),
        ("approved", "published", admin.username, "First release"),
        ("published", "retired", admin.username, "Replaced by v2"),
    ]
    assert version.retired_at is not None
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(version.pk), action__startswith="version."
        )
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions[-6:] == [
        "version.submitted",
        "version.returned",
        "version.submitted",
        "version.approved",
        "version.published",
        "version.retired",
    ]


def test_a_review_ending_needs_a_reason(cast):
    version = _at(cast, S.IN_REVIEW)
    with pytest.raises(ValidationError, match="Say why"):
        lifecycle.transition(version, S.DRAFT, by=cast["admin"], reason=" ")
    assert ModuleVersion.objects.get(pk=version.pk).status == S.IN_REVIEW


def test_without_a_board_an_admin_approves_a_draft_on_publishing(cast):
    version = builders.make_module(cast, "M-1").version
    moves = list(lifecycle.transitions_of(version).values_list("to_status", "reason"))
    assert [m[0] for m in moves] == ["approved", "published"]
    assert "has no advisory board" in moves[0][1]


@pytest.mark.parametrize("role", ["designer", "reviewer", "faculty"])
def test_only_an_admin_approves_without_a_board(cast, role):
    version = _at(cast, S.DRAFT)
    with pytest.raises(ValidationError, match="Only an administrator"):
        lifecycle.transition(version, S.APPROVED, by=cast[role], reason="Fine")
    with pytest.raises(ValidationError, match="Only an administrator"):
        services.publish_version(version, by=cast[role], changelog="Sneaky")
    assert ModuleVersion.objects.get(pk=version.pk).status == S.DRAFT


def test_with_a_board_a_draft_cannot_be_approved_or_published_directly(cast, board):
    version = _at(cast, S.DRAFT)
    with pytest.raises(ValidationError, match="needs the approval of"):
        lifecycle.transition(version, S.APPROVED, by=cast["admin"], reason="Trust me")
    with pytest.raises(ValidationError, match="is a draft version and cannot be"):
        services.publish_version(version, by=cast["admin"], changelog="First")
    assert ModuleVersion.objects.get(pk=version.pk).status == S.DRAFT


def test_a_version_in_review_cannot_be_edited(cast):
    version = _at(cast, S.IN_REVIEW)
    with pytest.raises(ValidationError, match="is in review"):
        services.add_outcome(version, by=cast["designer"], statement="Late")
    assert version.outcomes.count() == 2


def test_editing_a_published_module_starts_a_draft_copied_from_it(cast):
    published = builders.make_module(cast, "M-1").version
    published.refresh_from_db()
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    assert (draft.number, draft.status, draft.digest) == (2, S.DRAFT, "")
    assert draft.created_by == cast["designer"]
    before = content.version_content(published)
    after = content.version_content(draft)
    assert content.for_digest(after) == content.for_digest(before)
    new_outcomes = set(draft.outcomes.values_list("pk", flat=True))
    criterion = draft.tasks.get().rubric.criteria.first()
    assert set(criterion.outcomes.values_list("pk", flat=True)) <= new_outcomes
    services.add_outcome(draft, by=cast["designer"], statement="Only in v2")
    assert published.outcomes.count() == 2
    with pytest.raises(ValidationError, match="already has version 2 in progress"):
        lifecycle.start_next_draft(published, by=cast["designer"])
    with pytest.raises(ValidationError, match="not published yet"):
        lifecycle.start_next_draft(draft, by=cast["designer"])


def test_a_pathway_draft_copies_its_rule(cast, pathway):
    draft = lifecycle.start_next_draft(pathway.version, by=cast["designer"])
    assert draft.rule == pathway.version.rule
    assert draft.number == 2
