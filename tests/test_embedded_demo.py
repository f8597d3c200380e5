"""`make run` with no settings runs on SQLite with tasks in process: the demo must
seed there, issuing and signing real credentials and rendering a certificate.

The suite itself runs on PostgreSQL, so without this test nothing would notice
SQL that only PostgreSQL accepts in the issuing path (a row lock's FOR KEY SHARE
once stopped `make run` from seeding). The schema is created from the models
(SQLite's migrations take most of a minute and are not what this checks)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import json
import django
from django.conf import settings

django.setup()


class NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


settings.MIGRATION_MODULES = NoMigrations()

from django.core.management import call_command
from django.db import connection

call_command("migrate", run_syncdb=True, verbosity=0)
call_command("seed_demo", verbosity=0)

from credentials import services
from credentials.models import Award

awards = list(Award.objects.order_by("pk"))
first = services.certificate_for_download(awards[0])
print(json.dumps({
    "vendor": connection.vendor,
    "awards": len(awards),
    "statuses": sorted({services.verify_award(a).status for a in awards}),
    "pdf": first.pdf.open("rb").read(5).decode(),
}))
"""


def test_the_demo_seeds_and_issues_on_sqlite(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "CAIRN_"))
    }
    environment.update(
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["vendor"] == "sqlite"
    assert found["awards"] >= 5
    assert set(found["statuses"]) <= {"valid", "revoked", "expired"}
    assert "valid" in found["statuses"]
    assert found["pdf"] == "%PDF-"
