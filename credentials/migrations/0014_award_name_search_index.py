"""A trigram index on awards' achievement names on PostgreSQL, for the admin's
award search (credentials.award_selectors.organization_awards): with the people a
word names looked up first, the search's OR is two bitmap index scans instead
of a walk through every award of the organization. SQLite has neither."""

from django.db import migrations

from config.migration_helpers import postgresql_only

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS award_achievement_name_trigram ON credentials_award "
    "USING gin (upper(achievement_name::text) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS award_achievement_name_trigram"]


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0013_scale_indexes"),
        ("accounts", "0009_people_search_indexes"),
    ]

    operations = [postgresql_only(CREATE, DROP)]
