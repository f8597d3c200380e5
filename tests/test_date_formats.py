"""People read dates in two formats only, defined once in
config/formats/en/formats.py: "5 Dec 2026" and "5 Dec 2026 19:04"."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import formats, timezone

from tests import builders

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Machine formats (ISO 8601 for datetime= attributes, the zone's name) and the
# webhook delivery log, which reads to the second because retries follow within it.
ALLOWED = {"DATE_FORMAT", "DATETIME_FORMAT", "c", "T"}
LOG = {"integrations/webhooks/subscription_detail.html": {"j M Y H:i:s"}}


def test_the_two_formats():
    moment = datetime(2026, 12, 5, 19, 4, tzinfo=UTC)
    assert formats.date_format(moment, "DATE_FORMAT") == "5 Dec 2026"
    assert formats.date_format(moment, "DATETIME_FORMAT") == "5 Dec 2026 19:04"


def test_templates_name_a_format_never_spell_one():
    spelled = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        name = str(path.relative_to(TEMPLATES))
        for found in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text()):
            if found not in ALLOWED | LOG.get(name, set()):
                spelled.append(f"{name}: {found}")
        assert not re.search(r"\|date(?!:)", path.read_text()), name
    assert spelled == []


def test_a_submission_page_shows_the_date_with_time(client, cast):
    task = builders.make_module(cast, "M-1")
    submission = builders.submit(task, cast["learner"])
    client.force_login(cast["learner"])
    page = client.get(submission.get_absolute_url()).text
    at = timezone.localtime(submission.submitted_at)
    assert f"Submitted {at:%-d %b %Y %H:%M}" in page
