"""{% queue_rows %}: the queue's rows as the template wrote them, escaped, in
the time zone and language in force, their ages as timesince counts them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import escape
from django.utils.timesince import timesince

from assessments.queue import QueueRow
from assessments.templatetags.grading_queue import age, queue_rows

NOW = datetime(2026, 3, 1, 12, 0, 30, 250_000, tzinfo=UTC)


def row(**changes) -> QueueRow:
    values = {
        "pk": 41,
        "submitted_at": NOW - timedelta(days=3, hours=2, seconds=5),
        "attempt": 2,
        "status": "submitted",
        "has_draft": False,
        "learner_name": "Zoë <b>O'Neil</b> & co",
        "task_title": 'Essay "one"',
        "module_code": "MOD<1>",
    }
    return QueueRow(**{**values, **changes})


@pytest.mark.parametrize(
    "span",
    [
        timedelta(0),
        timedelta(seconds=-30),  # in the future: "0 minutes"
        timedelta(seconds=59, microseconds=999_999),
        timedelta(minutes=1),
        timedelta(minutes=59, seconds=59, microseconds=500_000),
        timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
        timedelta(days=6, hours=23, minutes=59, seconds=59),
        timedelta(days=7),
        timedelta(days=13, hours=23, minutes=1),
        timedelta(days=27, hours=23, minutes=59, seconds=59, microseconds=999_999),
        timedelta(days=28),  # one month from 1 February, none from 31 January
        timedelta(days=29, hours=1),
        timedelta(days=400, minutes=3),
    ],
)
@pytest.mark.parametrize(
    "now",
    [
        NOW,
        datetime(2026, 2, 28, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/London")),  # DST
        datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/Chicago")),
    ],
)
def test_an_age_is_what_timesince_says(span, now):
    for since in (now - span, (now - span).astimezone(ZoneInfo("Europe/London"))):
        assert age(since, now) == escape(timesince(since, now))
        assert age(since, now.astimezone(UTC)) == escape(
            timesince(since, now.astimezone(UTC))
        )


def test_every_minute_of_four_weeks_is_counted_as_timesince_counts_it():
    for minutes in range(0, 28 * 24 * 60, 7):
        since = NOW - timedelta(minutes=minutes, seconds=minutes % 60)
        assert age(since, NOW) == escape(timesince(since, NOW)), minutes


def test_rows_are_written_escaped_with_their_date_age_stage_and_link():
    submitted = timezone.now() - timedelta(days=3, hours=2, minutes=30)
    rows = [
        row(submitted_at=submitted),
        row(pk=42, submitted_at=submitted, status="moderation", has_draft=True),
    ]
    with timezone.override("Europe/London"):
        date = format_date(timezone.localtime(submitted), "j M Y H:i")
        html = queue_rows(rows)
    people = (
        "          <td>Zo\u00eb &lt;b&gt;O&#x27;Neil&lt;/b&gt; &amp; co</td>"
        "<td>Essay &quot;one&quot;</td>\n"
        "          <td>MOD&lt;1&gt;</td><td>2</td>\n"
    )
    ago = "3\xa0days, 2\xa0hours ago"
    when = f'<tr><td>{date} <span class="muted">({ago})</span></td>\n'
    assert html == (
        f"{when}{people}"
        "          <td>Waiting for grading</td>\n"
        '          <td><a class="button" href="/assessments/submissions/41/grade/">'
        "Grade</a></td></tr>\n"
        f"{when}{people}"
        '          <td>With a moderator <span class="badge">your draft</span></td>\n'
        '          <td><a class="button" href="/assessments/submissions/42/grade/">'
        "Moderate</a></td></tr>\n"
    )


def test_a_row_follows_the_time_zone_and_format_in_force():
    shown = row(submitted_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    with timezone.override("UTC"):
        assert "30 Jun 2026 23:30" in queue_rows([shown])
    with timezone.override("Asia/Tokyo"):
        assert "1 Jul 2026 08:30" in queue_rows([shown])
    # Without Cairn's format module, English's own.
    english = override_settings(FORMAT_MODULE_PATH=None, DATETIME_FORMAT="Y-m-d")
    with english, timezone.override("UTC"):
        assert "June 30, 2026, 11:30 p.m." in queue_rows([shown])
    with timezone.override("UTC"):
        assert "30 Jun 2026 23:30" in queue_rows([shown])


def test_an_empty_page_has_no_rows():
    assert queue_rows([]) == ""
