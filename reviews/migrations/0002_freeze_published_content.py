"""Database triggers that back the model's freeze of published versions.

PostgreSQL refuses to change or delete a published or retired module or pathway
version (retiring it is the one change allowed: status and retired_at), and to
insert, change or delete its outcomes, their alignments and its rubric rows, even
through a bulk QuerySet.update() or raw SQL. Row triggers do not fire on TRUNCATE,
so test databases still flush. SQLite (the embedded demo) has only the model layer.
"""

from django.db import migrations

FROZEN = "('published', 'retired')"

VERSION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION cairn_freeze_version() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN {FROZEN} THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'version % of % is % and cannot be deleted',
                OLD.id, TG_TABLE_NAME, OLD.status USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status NOT IN {FROZEN}
           OR (OLD.status = 'retired' AND NEW.status <> 'retired')
           OR (to_jsonb(NEW) - 'status' - 'retired_at')
              IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'retired_at') THEN
            RAISE EXCEPTION 'version % of % is % and can no longer change; start a new draft',
                OLD.id, TG_TABLE_NAME, OLD.status USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

# How each content table reaches its module version's status, given a row alias r.
CONTENT = {
    "curriculum_outcome": "SELECT v.status FROM curriculum_moduleversion v "
    "WHERE v.id = r.version_id",
    "curriculum_outcome_competencies": "SELECT v.status FROM curriculum_outcome o "
    "JOIN curriculum_moduleversion v ON v.id = o.version_id WHERE o.id = r.outcome_id",
    "assessments_rubric": "SELECT v.status FROM assessments_assessmenttask t "
    "JOIN curriculum_moduleversion v ON v.id = t.version_id WHERE t.id = r.task_id",
    "assessments_criterion": "SELECT v.status FROM assessments_rubric b "
    "JOIN assessments_assessmenttask t ON t.id = b.task_id "
    "JOIN curriculum_moduleversion v ON v.id = t.version_id WHERE b.id = r.rubric_id",
    "assessments_level": "SELECT v.status FROM assessments_criterion c "
    "JOIN assessments_rubric b ON b.id = c.rubric_id "
    "JOIN assessments_assessmenttask t ON t.id = b.task_id "
    "JOIN curriculum_moduleversion v ON v.id = t.version_id "
    "WHERE c.id = r.criterion_id",
    "assessments_criterion_outcomes": "SELECT v.status FROM assessments_criterion c "
    "JOIN assessments_rubric b ON b.id = c.rubric_id "
    "JOIN assessments_assessmenttask t ON t.id = b.task_id "
    "JOIN curriculum_moduleversion v ON v.id = t.version_id "
    "WHERE c.id = r.criterion_id",
}


def content_function(table: str, lookup: str) -> str:
    old = lookup.replace("r.", "OLD.")
    new = lookup.replace("r.", "NEW.")
    return f"""
CREATE OR REPLACE FUNCTION cairn_freeze_{table}() RETURNS trigger AS $$
DECLARE
    frozen text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO frozen FROM ({old}) s WHERE status IN {FROZEN};
        IF frozen IS NOT NULL THEN
            RAISE EXCEPTION '% belongs to a % version and can no longer change',
                TG_TABLE_NAME, frozen USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO frozen FROM ({new}) s WHERE status IN {FROZEN};
        IF frozen IS NOT NULL THEN
            RAISE EXCEPTION '% belongs to a % version and can no longer change',
                TG_TABLE_NAME, frozen USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER cairn_freeze BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION cairn_freeze_{table}();
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(VERSION_FUNCTION, params=None)
    for table in ("curriculum_moduleversion", "pathways_pathwayversion"):
        schema_editor.execute(
            f"CREATE TRIGGER cairn_freeze BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cairn_freeze_version();",
            params=None,
        )
    for table, lookup in CONTENT.items():
        schema_editor.execute(content_function(table, lookup), params=None)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("curriculum_moduleversion", "pathways_pathwayversion", *CONTENT):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS cairn_freeze ON {table};")
    for table in CONTENT:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS cairn_freeze_{table}();")
    schema_editor.execute("DROP FUNCTION IF EXISTS cairn_freeze_version();")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_boards_and_reviews"),
        ("curriculum", "0002_lifecycle_fields_and_transitions"),
        ("assessments", "0001_initial"),
        ("pathways", "0002_lifecycle_fields"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
