"""The figures, checked exactly against the known history in conftest.py."""

from datetime import date, timedelta

import pytest

from analytics import charts, selectors
from assessments.models import Submission
from pathways import services as pathways
from pathways.models import PathwayCompletion
from tests import builders
from tests.analytics.conftest import DAY, NOW, ago


def figures(found: selectors.Headline) -> dict:
    return {f.key: (f.current, f.previous) for f in found.figures}


def test_headline_figures_compare_the_period_with_the_one_before(history):
    found = selectors.headline(history.cast.organization, days=30, now=NOW)
    assert found.current == selectors.Window(ago(30), NOW)
    assert found.previous == selectors.Window(ago(60), ago(30))
    assert figures(found) == {
        "learners_enrolled": (2, 1),
        # l1's B on the period's first instant counts now; l3's recognition a
        # microsecond earlier counts in the previous period.
        "module_completions": (3, 2),
        "graded": (3, 1),
        "recognition": (0, 1),
        "external": (0, 0),
        "pathway_completions": (1, 0),
        "awards_issued": (4, 2),
        "awards_revoked": (1, 0),
        "submissions_graded": (4, 1),
        # current: 4, 1, 1 and 3 days; previous: 3 days
        "median_days_to_grade": (2.0, 3.0),
    }
    by_key = {f.key: f for f in found.figures}
    assert by_key["median_days_to_grade"].change == -1.0
    assert by_key["module_completions"].change == 1
    assert found.waiting == 2
    assert found.oldest_waiting_days == pytest.approx(12.0)


def test_a_longer_period_takes_in_everything(history):
    found = selectors.headline(history.cast.organization, days=365, now=NOW)
    assert figures(found)["module_completions"] == (5, 0)
    assert figures(found)["learners_enrolled"] == (3, 0)
    assert figures(found)["median_days_to_grade"] == (3.0, None)


def test_other_organizations_see_none_of_it(history):
    found = selectors.dashboard(history.cast.other_organization, days=365, now=NOW)
    assert not found.headline.has_activity
    assert found.headline.waiting == 0
    assert all(
        m.module_completions == m.pathway_completions == m.awards_issued == 0
        for m in found.months
    )
    assert found.pathways == []
    assert found.tasks == []


def test_months_count_the_last_twelve_calendar_months(history):
    months = selectors.monthly_activity(history.cast.organization, now=NOW)
    assert [m.month for m in months][0] == date(2025, 4, 1)
    assert [m.month for m in months][-1] == date(2026, 3, 1)
    counts = {
        m.month: (m.module_completions, m.pathway_completions, m.awards_issued)
        for m in months
        if m.module_completions or m.pathway_completions or m.awards_issued
    }
    # Feb: l1's A, B and C and l3's C, l1's pathway; awards for all five.
    # Mar: l2's A and its award. A revoked award still counts as issued.
    assert counts == {date(2026, 2, 1): (4, 1, 5), date(2026, 3, 1): (1, 0, 1)}


def test_month_starts_cross_the_year():
    assert selectors.month_starts(NOW, 3) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]


def test_pathway_funnel(history):
    [row] = selectors.pathway_funnels(history.cast.organization)
    assert row.version == history.built.version
    # l3 completed C by recognition but never enrolled: not counted.
    assert (row.enrolled, row.started, row.completed) == (3, 2, 1)
    assert row.completion_rate == pytest.approx(1 / 3)
    assert row.median_days_to_complete == pytest.approx(20.0)


def test_a_voided_pathway_completion_is_not_a_completion(history):
    pathways.void_pathway_completion(
        PathwayCompletion.objects.get(), reason="Appeal upheld."
    )
    [row] = selectors.pathway_funnels(history.cast.organization)
    assert (row.enrolled, row.started, row.completed) == (3, 2, 0)
    assert row.median_days_to_complete is None


def test_task_statistics(history):
    rows = {
        row.task.pk: row for row in selectors.task_statistics(history.cast.organization)
    }
    a, b, c = (t.pk for t in history.built.tasks)
    assert list(rows) == [a, b, c]
    # A: l1 passed at once (3 days to grade); l2 failed (1 day), then passed
    # (3 days); l4 waits.
    assert (rows[a].submissions, rows[a].graded, rows[a].learners_graded) == (4, 3, 2)
    assert rows[a].first_attempt_pass_rate == 0.5
    assert rows[a].pass_rate == 1.0
    assert rows[a].median_attempts_to_pass == 1.5
    assert rows[a].median_days_to_grade == pytest.approx(3.0)
    assert rows[a].second_marked_share == 0.0
    assert (rows[b].submissions, rows[b].graded) == (2, 1)
    assert rows[b].median_days_to_grade == pytest.approx(4.0)
    # C: second-marked (the task samples every first mark).
    assert rows[c].second_marked_share == 1.0
    assert rows[c].median_attempts_to_pass == 1.0
    assert rows[c].median_days_to_grade == pytest.approx(1.0)


def test_a_task_with_no_work_yet_has_no_rates(cast):
    task = builders.make_module(cast, "D-104")
    [row] = selectors.task_statistics(cast.organization)
    assert row.task == task
    assert row.submissions == row.graded == 0
    assert row.first_attempt_pass_rate is None
    assert row.pass_rate is None
    assert row.median_attempts_to_pass is None
    assert row.median_days_to_grade is None
    assert row.second_marked_share is None


def test_drafts_are_neither_counted_nor_listed(cast):
    builders.make_module(cast, "E-105", publish=False)
    assert selectors.task_statistics(cast.organization) == []
    assert selectors.pathway_funnels(cast.organization) == []


@pytest.mark.parametrize(
    ("histogram", "expected"),
    [({}, None), ({1: 1}, 1.0), ({1: 1, 2: 1}, 1.5), ({1: 3, 3: 2}, 1.0)],
)
def test_median_of_a_histogram(histogram, expected):
    assert selectors._median_of_histogram(histogram) == expected


def test_the_python_median_agrees_with_the_database(history):
    submissions = Submission.objects.filter(grade__isnull=False)
    value = selectors._duration("grade__graded_at", "submitted_at")
    in_db = selectors.grouped_medians(submissions, "task", value, in_database=True)
    in_python = selectors.grouped_medians(submissions, "task", value, in_database=False)
    assert in_db == in_python
    assert len(in_db) == 3
    assert selectors.median(submissions, value, in_database=True) == (
        selectors.median(submissions, value, in_database=False)
    )
    # graded in 3, 4, 1, 1 and 3 days
    assert selectors.median(submissions, value) == 3 * DAY


@pytest.mark.parametrize(
    ("maximum", "step"), [(1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (26, 10)]
)
def test_tick_steps(maximum, step):
    assert charts.tick_step(maximum) == step


def test_bars_rise_from_the_axis_in_proportion():
    chart = charts.grouped_bars(
        ["Jan 2026", "Feb 2026"],
        [charts.Series("Completions", [0, 4]), charts.Series("Awards", [2, 1])],
        width=400,
        height=200,
    )
    assert [t.value for t in chart.ticks] == [0, 1, 2, 3, 4]
    assert [b.value for b in chart.bars] == [0, 2, 4, 1]
    tallest = max(chart.bars, key=lambda b: b.value)
    assert tallest.y == chart.top
    assert all(b.y + b.height == pytest.approx(chart.bottom) for b in chart.bars)
    assert chart.bars[0].height == 0
    assert chart.bars[1].height == pytest.approx(tallest.height / 2)
    assert chart.bars[1].title == "Jan 2026: 2 awards"
    assert all(chart.left <= b.x and b.x + b.width <= chart.right for b in chart.bars)


def test_funnel_widths_are_shares_of_the_enrolled():
    assert charts.funnel_widths([4, 2, 1], width=200) == [200, 100, 50]
    assert charts.funnel_widths([0, 0, 0]) == [0, 0, 0]


def test_windows_are_half_open():
    current, previous = selectors.windows(days=30, now=NOW)
    assert current.start == previous.end == NOW - timedelta(days=30)
