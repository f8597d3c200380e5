"""A published version is frozen in the model and in the database (PostgreSQL
triggers), bulk QuerySet.update() and raw SQL included."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import Criterion, Level, Rubric
from curriculum import lifecycle
from curriculum import services as curriculum_services
from curriculum.models import Competency, ModuleVersion, Outcome
from pathways.models import PathwayVersion
from tests import builders


@pytest.fixture
def published(cast):
    return builders.make_module(cast, "M-1")


def refused_by_model():
    """Django sends delete and m2m signals inside atomic(savepoint=False), so a
    refusal there rolls back the enclosing block: the tests give it its own."""
    return pytest.raises(ValidationError, match="belongs to a published version")


def refused_by_database():
    """The database refuses, whatever the ORM did or did not check."""
    assert connection.vendor == "postgresql"
    return pytest.raises(IntegrityError, match="can no longer change|cannot be deleted")


# The model layer: instances refuse to save or delete.


def test_the_model_refuses_to_change_an_outcome_of_a_published_version(published):
    outcome = Outcome.objects.filter(version=published.version).first()
    outcome.statement = "Rewritten"
    with pytest.raises(ValidationError, match="belongs to a published version"):
        outcome.save()
    with refused_by_model(), transaction.atomic():
        outcome.delete()
    with pytest.raises(ValidationError, match="belongs to a published version"):
        Outcome.objects.create(version=published.version, statement="Sneaked in")
    assert Outcome.objects.filter(version=published.version).count() == 2


@pytest.mark.parametrize("model", [Rubric, Criterion, Level])
def test_the_model_refuses_to_change_rubric_rows_of_a_published_version(
    published, model
):
    row = model.objects.filter(pk__in=_rubric_pks(published)[model]).first()
    with pytest.raises(ValidationError, match="belongs to a published version"):
        row.save()
    with refused_by_model(), transaction.atomic():
        row.delete()


def test_the_model_refuses_to_change_alignments_of_a_published_version(published):
    outcome = Outcome.objects.filter(version=published.version).first()
    criterion = Criterion.objects.filter(rubric__task=published).first()
    with refused_by_model(), transaction.atomic():
        outcome.competencies.clear()
    with refused_by_model(), transaction.atomic():
        criterion.outcomes.remove(outcome)
    with refused_by_model(), transaction.atomic():
        outcome.criteria.remove(criterion)
    assert outcome.competencies.count() == 1


def test_the_model_still_lets_drafts_change(cast):
    task = builders.make_module(cast, "M-1", publish=False)
    outcome = Outcome.objects.filter(version=task.version).first()
    outcome.statement = "Reworded"
    outcome.save()
    level = Level.objects.filter(criterion__rubric__task=task).first()
    level.descriptor = "Clearer"
    level.save()
    outcome.competencies.clear()
    assert Outcome.objects.get(pk=outcome.pk).statement == "Reworded"


def test_retiring_is_the_one_change_a_published_version_accepts(cast, published):
    version = lifecycle.retire_version(
        published.version, by=cast["admin"], reason="Superseded"
    )
    assert ModuleVersion.objects.get(pk=version.pk).status == "retired"
    version.title = "Renamed after retiring"
    with pytest.raises(ValidationError, match="can no longer be edited"):
        version.save(update_fields=["title"])


# The database layer: what the model cannot see.


def _rubric_pks(task):
    return {
        Rubric: [task.rubric.pk],
        Criterion: list(
            Criterion.objects.filter(rubric__task=task).values_list("pk", flat=True)
        ),
        Level: list(
            Level.objects.filter(criterion__rubric__task=task).values_list(
                "pk", flat=True
            )
        ),
    }


def test_the_database_refuses_a_bulk_update_of_a_published_version(published):
    with refused_by_database(), transaction.atomic():
        ModuleVersion.objects.filter(pk=published.version_id).update(title="Bulk")
    assert ModuleVersion.objects.get(pk=published.version_id).title == "Module M-1"


def test_the_database_refuses_to_reopen_or_delete_a_published_version(published):
    with refused_by_database(), transaction.atomic():
        ModuleVersion.objects.filter(pk=published.version_id).update(status="draft")
    with refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM curriculum_moduleversion WHERE id = %s", [published.version_id]
        )
    assert ModuleVersion.objects.get(pk=published.version_id).status == "published"


def test_the_database_lets_a_published_version_retire_and_no_further(published):
    rows = ModuleVersion.objects.filter(pk=published.version_id)
    assert rows.update(status="retired", retired_at=timezone.now()) == 1
    with refused_by_database(), transaction.atomic():
        rows.update(status="published")
    with refused_by_database(), transaction.atomic():
        rows.update(summary="Edited while retired")


@pytest.mark.parametrize("model", [Outcome, Rubric, Criterion, Level])
def test_the_database_refuses_bulk_changes_to_published_content(published, model):
    pks = (
        list(
            Outcome.objects.filter(version=published.version).values_list(
                "pk", flat=True
            )
        )
        if model is Outcome
        else _rubric_pks(published)[model]
    )
    field = {Outcome: "position", Rubric: "pass_min_total", Criterion: "position"}.get(
        model, "points"
    )
    with refused_by_database(), transaction.atomic():
        model.objects.filter(pk__in=pks).update(**{field: 7})
    with refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {model._meta.db_table} WHERE id = ANY(%s)",
            [pks],  # noqa: S608
        )
    assert model.objects.filter(pk__in=pks).count() == len(pks)


def test_the_database_refuses_new_content_under_a_published_version(published):
    competency = Competency.objects.first()
    with refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO curriculum_outcome (version_id, position, statement) "
            "VALUES (%s, 9, 'Raw insert')",
            [published.version_id],
        )
    outcome = Outcome.objects.filter(version=published.version).first()
    with refused_by_database(), transaction.atomic():
        Outcome.competencies.through.objects.create(
            outcome=outcome, competency=competency
        )
    with refused_by_database(), transaction.atomic():
        Outcome.competencies.through.objects.filter(outcome=outcome).delete()
    criterion = Criterion.objects.filter(rubric__task=published).first()
    with refused_by_database(), transaction.atomic():
        Level.objects.bulk_create(
            [Level(criterion=criterion, position=9, name="X", points=9)]
        )
    with refused_by_database(), transaction.atomic():
        Criterion.outcomes.through.objects.filter(criterion=criterion).delete()


def test_the_database_refuses_to_move_draft_content_into_a_published_version(
    cast, published
):
    draft = builders.make_module(cast, "M-2", publish=False)
    outcome = Outcome.objects.filter(version=draft.version).first()
    with refused_by_database(), transaction.atomic():
        Outcome.objects.filter(pk=outcome.pk).update(version=published.version)
    Outcome.objects.filter(pk=outcome.pk).update(statement="Drafts stay editable")


def test_the_database_freezes_a_published_pathway_and_its_rule(pathway):
    with refused_by_database(), transaction.atomic():
        PathwayVersion.objects.filter(pk=pathway.version.pk).update(rule={})
    assert PathwayVersion.objects.get(pk=pathway.version.pk).rule["type"] == "all"


class RecordingEditor:
    def __init__(self, vendor):
        self.connection = type("Connection", (), {"vendor": vendor})()
        self.statements = []

    def execute(self, sql, params=None):
        self.statements.append(sql)


def test_the_trigger_migration_runs_only_on_postgresql():
    migration = importlib.import_module(
        "reviews.migrations.0002_freeze_published_content"
    )
    sqlite, postgresql = RecordingEditor("sqlite"), RecordingEditor("postgresql")
    migration.forwards(None, sqlite)
    migration.forwards(None, postgresql)
    assert sqlite.statements == []
    assert len(postgresql.statements) == 1 + 2 + len(migration.CONTENT)
    migration.backwards(None, postgresql)
    assert postgresql.statements[-1].startswith("DROP FUNCTION")


# A module version's prerequisites (a many-to-many table of their own).


@pytest.fixture
def required(cast, published):
    """A published version whose prerequisite is module PRE, and a spare module."""
    pre = builders.make_module(cast, "PRE").version.module
    spare = builders.make_module(cast, "SPARE", publish=False).version.module
    draft = lifecycle.start_next_draft(published.version, by=cast["designer"])
    curriculum_services.update_module_version(
        draft, by=cast["designer"], prerequisites=[pre]
    )
    version = curriculum_services.publish_version(
        draft, by=cast["admin"], changelog="Needs PRE."
    )
    return version, pre, spare


def refused_as_frozen_version():
    return pytest.raises(ValidationError, match="is published and can no longer")


def test_the_model_refuses_to_change_prerequisites_of_a_published_version(required):
    version, pre, spare = required
    with refused_as_frozen_version(), transaction.atomic():
        version.prerequisites.add(spare)
    with refused_as_frozen_version(), transaction.atomic():
        version.prerequisites.remove(pre)
    with refused_as_frozen_version(), transaction.atomic():
        version.prerequisites.set([spare])
    with refused_as_frozen_version(), transaction.atomic():
        version.prerequisites.clear()
    # From the other side: the module's required_by.
    with refused_as_frozen_version(), transaction.atomic():
        spare.required_by.add(version)
    with refused_as_frozen_version(), transaction.atomic():
        pre.required_by.remove(version)
    with refused_as_frozen_version(), transaction.atomic():
        pre.required_by.clear()
    assert list(version.prerequisites.all()) == [pre]


def test_the_model_lets_a_draft_change_its_prerequisites(cast, required):
    version, pre, spare = required
    draft = lifecycle.start_next_draft(version, by=cast["designer"])
    draft.prerequisites.add(spare)
    pre.required_by.remove(draft)
    spare.required_by.clear()
    assert list(draft.prerequisites.all()) == []
    assert list(version.prerequisites.all()) == [pre]


def test_the_database_refuses_bulk_and_raw_changes_to_prerequisites(required):
    version, pre, spare = required
    through = ModuleVersion.prerequisites.through
    with refused_by_database(), transaction.atomic():
        through.objects.bulk_create([through(moduleversion=version, module=spare)])
    with refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {through._meta.db_table} (moduleversion_id, module_id) "  # noqa: S608
            "VALUES (%s, %s)",
            [version.pk, spare.pk],
        )
    with refused_by_database(), transaction.atomic():
        through.objects.filter(moduleversion=version).update(module=spare)
    with refused_by_database(), transaction.atomic():
        through.objects.filter(moduleversion=version).delete()
    with refused_by_database(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {through._meta.db_table} WHERE moduleversion_id = %s",  # noqa: S608
            [version.pk],
        )
    assert list(version.prerequisites.all()) == [pre]


def test_the_database_refuses_to_move_a_draft_prerequisite_to_a_published_version(
    cast, required
):
    version, pre, spare = required
    draft = lifecycle.start_next_draft(version, by=cast["designer"])
    through = ModuleVersion.prerequisites.through
    rows = through.objects.filter(moduleversion=draft)
    with refused_by_database(), transaction.atomic():
        rows.update(moduleversion=version)
    # The draft's own rows stay free.
    rows.update(module=spare)
    assert list(draft.prerequisites.all()) == [spare]


def test_the_prerequisites_migration_runs_only_on_postgresql():
    migration = importlib.import_module("reviews.migrations.0003_freeze_prerequisites")
    sqlite, postgresql = RecordingEditor("sqlite"), RecordingEditor("postgresql")
    migration.forwards(None, sqlite)
    migration.forwards(None, postgresql)
    assert sqlite.statements == []
    assert len(postgresql.statements) == 2
    assert "curriculum_moduleversion_prerequisites" in postgresql.statements[1]
    migration.backwards(None, postgresql)
    assert postgresql.statements[-1].startswith("DROP FUNCTION")
    assert ("curriculum", "0003_frameworks_case_module_fields") in (
        migration.Migration.dependencies
    )
