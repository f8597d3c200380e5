"""Indexes for competency search on PostgreSQL (curriculum.selectors.search_competencies).

The GIN index is on the same expression the search builds with SearchVector, so
the planner can use it for the full-text match; the second answers a code prefix
(`code__istartswith`), so the OR of the two is a BitmapOr instead of a scan of
every competency. SQLite (the embedded demo) has neither and needs neither.
tests/curriculum/test_modules.py checks that the search's query uses them.
"""

from django.db import migrations

from config.migration_helpers import postgresql_only

VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, COALESCE(code, '')::text), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(statement, '')), 'B'))"
)
CREATE = [
    "CREATE INDEX IF NOT EXISTS competency_search_vector "
    f"ON curriculum_competency USING gin ({VECTOR})",
    "CREATE INDEX IF NOT EXISTS competency_code_prefix "
    "ON curriculum_competency (upper(code::text) text_pattern_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS competency_search_vector",
    "DROP INDEX IF EXISTS competency_code_prefix",
]


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0003_frameworks_case_module_fields")]

    operations = [postgresql_only(CREATE, DROP)]
