"""A published or retired module version's prerequisites are frozen too.

The prerequisites (issue 4) are a many-to-many table of their own, which the
version's own trigger (0002) does not see: PostgreSQL refuses to insert, change or
delete its rows while the version they belong to is published or retired, even
through a bulk QuerySet or raw SQL. The model layer refuses the same through
curriculum.lifecycle's m2m guard. SQLite (the embedded demo) has only the model layer.
"""

from django.db import migrations

FROZEN = "('published', 'retired')"
TABLE = "curriculum_moduleversion_prerequisites"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION cairn_freeze_{TABLE}() RETURNS trigger AS $$
DECLARE
    frozen text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT v.status INTO frozen FROM curriculum_moduleversion v
            WHERE v.id = OLD.moduleversion_id AND v.status IN {FROZEN};
        IF frozen IS NOT NULL THEN
            RAISE EXCEPTION '% belongs to a % version and can no longer change',
                TG_TABLE_NAME, frozen USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT v.status INTO frozen FROM curriculum_moduleversion v
            WHERE v.id = NEW.moduleversion_id AND v.status IN {FROZEN};
        IF frozen IS NOT NULL THEN
            RAISE EXCEPTION '% belongs to a % version and can no longer change',
                TG_TABLE_NAME, frozen USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGER = (
    f"CREATE TRIGGER cairn_freeze BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION cairn_freeze_{TABLE}();"
)


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(TRIGGER, params=None)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS cairn_freeze ON {TABLE};")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS cairn_freeze_{TABLE}();")


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_freeze_published_content"),
        ("curriculum", "0003_frameworks_case_module_fields"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
