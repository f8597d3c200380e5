"""Trigram indexes for finding people by any part of their name, username or
e-mail on PostgreSQL (the admin's award search, credentials.selectors
.organization_awards): `icontains` is UPPER(column) LIKE '%word%', which these
GIN indexes answer without reading every user. SQLite (the embedded demo) has
neither and needs neither."""

from django.db import migrations

from config.migration_helpers import postgresql_only

COLUMNS = ["username", "first_name", "last_name", "email"]
CREATE = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"] + [
    f"CREATE INDEX IF NOT EXISTS auth_user_{c}_trigram "
    f"ON auth_user USING gin (upper({c}::text) gin_trgm_ops)"
    for c in COLUMNS
]
DROP = [f"DROP INDEX IF EXISTS auth_user_{c}_trigram" for c in COLUMNS]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_notification_email_due"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [postgresql_only(CREATE, DROP)]
