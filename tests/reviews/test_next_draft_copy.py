"""A new draft started from a published module version copies all of its content:
every field that is not identity or lifecycle, the prerequisites, the badge image,
and the outcomes with every field and alignment."""

import io
from decimal import Decimal

import pytest
from PIL import Image

from assessments import services as assessments
from curriculum import content, lifecycle, services
from curriculum.models import Competency, CompetencyFramework, ModuleVersion, Outcome
from tests import builders

# Identity and lifecycle, spelled out here (not taken from lifecycle.NOT_COPIED) so
# that a content field wrongly left out of the copy fails this test.
VERSION_LIFECYCLE = {
    "id",
    "module",
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
OUTCOME_IDENTITY = {"id", "version"}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (47, 107, 94, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def content_fields(model, excluded):
    return [f for f in model._meta.concrete_fields if f.name not in excluded]


@pytest.fixture
def published(cast):
    """A published module version with every content field set, not left default."""
    first = builders.make_module(cast, "PRE-1").version
    second = builders.make_module(cast, "PRE-2").version
    framework = CompetencyFramework.objects.get(organization=cast.organization)
    skills = [
        Competency.objects.create(framework=framework, statement=f"skill {n}")
        for n in (1, 2)
    ]
    version = services.create_module_version(
        cast.organization,
        by=cast["designer"],
        code="FULL",
        title="Everything filled",
        summary="A summary",
        criteria_narrative="Show it all",
        credits=Decimal("7.5"),
        level="EQF 5",
        notional_hours=125,
        delivery_mode="blended",
        language="fr",
        valid_for_days=730,
        prerequisites=[first.module, second.module],
    )
    # A designed badge fills the three badge fields (its SVG, PNG and description).
    services.design_badge(
        version,
        by=cast["designer"],
        design={
            "shape": "shield",
            "background": "#fff4d6",
            "border": "#7a1f5c",
            "ink": "#1d2b45",
            "icon": "award",
            "text": "FULL",
        },
    )
    outcomes = [
        services.add_outcome(
            version,
            by=cast["designer"],
            statement=statement,
            action_verb=verb,
            proficiency_level=level,
            competencies=skills[: n + 1],
        )
        for n, (statement, verb, level) in enumerate(
            [
                ("Build a pivot table", "build", "advanced"),
                ("Explain a chart", "explain", "intermediate"),
            ]
        )
    ]
    assessments.create_task(
        version,
        by=cast["designer"],
        title="Report",
        criteria=[assessments.CriterionSpec("Accuracy", outcomes)],
        levels=builders.LEVELS,
        pass_min_level=1,
    )
    services.publish_version(version, by=cast["admin"], changelog="First release.")
    return ModuleVersion.objects.get(pk=version.pk)


def test_the_fixture_fills_every_content_field(published):
    """If a content field is added to the models, this test asks to fill it here
    (and so the copy test below checks it)."""
    for field in content_fields(ModuleVersion, VERSION_LIFECYCLE):
        assert field.value_from_object(published) not in (
            None,
            "",
            field.get_default(),
        ), field.name
    for outcome in published.outcomes.all():
        for field in content_fields(Outcome, OUTCOME_IDENTITY):
            assert field.value_from_object(outcome) not in (
                None,
                "",
                field.get_default(),
            ), field.name
    assert published.prerequisites.count() == 2


def test_a_next_draft_copies_every_field_and_relation(cast, published):
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    draft = ModuleVersion.objects.get(pk=draft.pk)
    assert (draft.number, draft.status, draft.module_id) == (
        2,
        "draft",
        published.module_id,
    )
    for field in content_fields(ModuleVersion, VERSION_LIFECYCLE):
        assert field.value_from_object(draft) == field.value_from_object(published), (
            field.name
        )
    for field in ModuleVersion._meta.many_to_many:
        assert set(getattr(draft, field.name).all()) == set(
            getattr(published, field.name).all()
        ), field.name
    # The badge files are the same stored files, still readable from the draft.
    for name in ("badge_image", "badge_png"):
        assert getattr(draft, name).name == getattr(published, name).name
        with getattr(draft, name).open("rb") as copy:
            assert copy.read() == getattr(published, name).read()

    old = list(published.outcomes.order_by("position"))
    new = list(draft.outcomes.order_by("position"))
    assert len(new) == len(old) == 2
    assert not {o.pk for o in old} & {o.pk for o in new}
    for before, after in zip(old, new, strict=True):
        for field in content_fields(Outcome, OUTCOME_IDENTITY):
            assert field.value_from_object(after) == field.value_from_object(before), (
                field.name
            )
        for field in Outcome._meta.many_to_many:
            assert set(getattr(after, field.name).all()) == set(
                getattr(before, field.name).all()
            ), field.name
    assert content.for_digest(content.version_content(draft)) == content.for_digest(
        content.version_content(published)
    )


def test_editing_the_next_draft_leaves_the_published_version_alone(cast, published):
    before = published.badge_png.read()
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    services.update_module_version(
        draft,
        by=cast["designer"],
        notional_hours=30,
        prerequisites=[],
        remove_badge_image=True,
    )
    published = ModuleVersion.objects.get(pk=published.pk)
    assert published.notional_hours == 125
    assert published.prerequisites.count() == 2
    assert published.badge_design["shape"] == "shield"
    with published.badge_png.open("rb") as image:
        assert image.read() == before


# The content gathered for the digest and the diff covers the same fields.


def png_of(colour) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _edit_outcome(draft, by):
    outcome = draft.outcomes.get(position=1)
    services.update_outcome(
        outcome,
        by=by,
        statement=outcome.statement,
        action_verb=outcome.action_verb,
        proficiency_level="expert",
    )


EDITS = {
    "notional_hours": (
        lambda d, by: services.update_module_version(d, by=by, notional_hours=30),
        ("details", "changed", "Notional hours", "125", "30"),
    ),
    "delivery_mode": (
        lambda d, by: services.update_module_version(d, by=by, delivery_mode="online"),
        ("details", "changed", "Delivery mode", "blended", "online"),
    ),
    "language": (
        lambda d, by: services.update_module_version(d, by=by, language="de"),
        ("details", "changed", "Language", "fr", "de"),
    ),
    "prerequisites": (
        lambda d, by: services.update_module_version(
            d, by=by, prerequisites=d.prerequisites.filter(code="PRE-1")
        ),
        (
            "details",
            "changed",
            "Prerequisites",
            "“Module PRE-1” (PRE-1), “Module PRE-2” (PRE-2)",
            "“Module PRE-1” (PRE-1)",
        ),
    ),
    "proficiency_level": (
        _edit_outcome,
        (
            "outcomes",
            "changed",
            "Outcome 1",
            "Build a pivot table (at advanced level)",
            "Build a pivot table (at expert level)",
        ),
    ),
}


@pytest.mark.parametrize("name", EDITS)
def test_a_changed_field_changes_the_digest_and_shows_in_the_diff(
    cast, published, name
):
    edit, expected = EDITS[name]
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    edit(draft, cast["designer"])
    new = services.publish_version(draft, by=cast["admin"], changelog="Changed.")
    assert new.digest.startswith("sha256:")
    assert new.digest != published.digest
    changes = [
        (c["section"], c["change"], c["item"], c["before"], c["after"])
        for c in new.diff["changes"]
    ]
    assert changes == [expected]


def test_the_badge_image_is_content_by_its_bytes(cast, published):
    assert content.version_content(published)["badge_image"].startswith("sha256:")
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    services.update_module_version(draft, by=cast["designer"], badge_image=png_bytes())
    first = ModuleVersion.objects.get(pk=draft.pk).badge_image.name
    stored = content.version_content(draft)["badge_image"]
    # The same picture uploaded again is stored under a new name: same content.
    services.update_module_version(draft, by=cast["designer"], badge_image=png_bytes())
    draft = ModuleVersion.objects.get(pk=draft.pk)
    assert draft.badge_image.name != first
    assert content.version_content(draft)["badge_image"] == stored
    services.update_module_version(
        draft, by=cast["designer"], badge_image=png_of((200, 30, 30, 255))
    )
    changed = content.version_content(draft)
    assert changed["badge_image"] not in ("", stored)
    new = services.publish_version(draft, by=cast["admin"], changelog="New badge.")
    assert new.digest != published.digest


def test_a_removed_badge_image_changes_the_digest(cast, published):
    draft = lifecycle.start_next_draft(published, by=cast["designer"])
    services.update_module_version(draft, by=cast["designer"], remove_badge_image=True)
    assert content.version_content(draft)["badge_image"] == ""
    new = services.publish_version(draft, by=cast["admin"], changelog="No badge.")
    assert new.digest != published.digest


def test_content_of_full_versions_takes_a_fixed_number_of_queries(
    cast, published, django_assert_num_queries
):
    """Prerequisites and badge images add no query per version."""
    drafts = [lifecycle.start_next_draft(published, by=cast["designer"])]
    other = builders.make_module(cast, "OTHER", publish=False).version
    services.update_module_version(
        other,
        by=cast["designer"],
        prerequisites=published.prerequisites.all(),
        badge_image=png_bytes(),
    )
    pks = [published.pk, drafts[0].pk, other.pk]
    with django_assert_num_queries(9):
        contents = content.module_contents(pks)
    assert {c["prerequisites"][0] for c in contents.values()} == {"PRE-1"}
    badges = {pk: c["badge_image"] for pk, c in contents.items()}
    assert badges[published.pk] == badges[drafts[0].pk] != badges[other.pk] != ""
