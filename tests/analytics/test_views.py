"""The analytics page: who may read it, what it shows, its CSV tables."""

import csv
import io
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from curriculum import services as curriculum
from pathways import services as pathways
from tests import builders, factories
from tests.analytics.conftest import NOW, new_learner


def url(cast, **query) -> str:
    address = reverse("analytics:organization", args=[cast.organization.slug])
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


@pytest.fixture
def at_now(monkeypatch):
    """The page reads the clock once; set it to the known history's NOW."""
    monkeypatch.setattr("analytics.views.timezone", SimpleNamespace(now=lambda: NOW))


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("designer", 403),
        ("reviewer", 403),
        ("faculty", 403),
        ("learner", 403),
        ("stranger", 403),
        ("outside_faculty", 403),
    ],
)
def test_only_the_organizations_admins_read_its_analytics(client, cast, role, status):
    client.force_login(cast[role])
    assert client.get(url(cast)).status_code == status
    assert client.get(url(cast, format="csv", table="tasks")).status_code == status


def test_an_admin_of_another_organization_is_refused(client, cast):
    other_admin = factories.UserFactory()
    curriculum.add_member(
        cast.other_organization, other_admin, role=Membership.Role.ADMIN
    )
    client.force_login(other_admin)
    assert client.get(url(cast)).status_code == 403
    mine = reverse("analytics:organization", args=[cast.other_organization.slug])
    assert client.get(mine).status_code == 200


def test_visitors_are_sent_to_log_in(client, cast):
    response = client.get(url(cast))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_organization_is_not_found(client, cast):
    client.force_login(cast["admin"])
    missing = reverse("analytics:organization", args=["no-such-college"])
    assert client.get(missing).status_code == 404


def test_the_page_shows_the_figures_chart_and_tables(client, history, at_now):
    cast = history.cast
    client.force_login(cast["admin"])
    response = client.get(url(cast, days=365))
    assert response.status_code == 200
    html = response.text
    assert "The last 365 days" in html
    assert re.search(
        r"Module completions</th>\s*<td>5</td><td>0</td>\s*<td>\+5</td>", html
    )
    svg = re.search(r'<svg viewBox="0 0 720 300" role="img".*?</svg>', html, re.S)
    assert svg, "the monthly chart is drawn inline"
    assert '<title id="months-title">' in svg.group(0)
    assert '<desc id="months-desc">' in svg.group(0)
    assert "<caption>Per month</caption>" in html
    assert "3 enrolled, 2 started, 1 completed" in html
    assert "33.3 %" in html  # pathway completion rate
    assert "50.0 %" in html  # first-attempt pass rate of task A
    assert "2</strong> submissions waiting for a grade now" in html
    assert "<script" not in html.split("</head>")[1]  # no chart library


def test_the_period_defaults_to_ninety_days_and_rejects_others(client, cast):
    client.force_login(cast["admin"])
    assert client.get(url(cast)).context["days"] == 90
    response = client.get(url(cast, days=7))
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert response.context["days"] == 90
    assert (
        client.get(url(cast, days=7, format="csv", table="headline")).status_code == 400
    )


def test_an_empty_organization_says_so_in_words(client, cast):
    client.force_login(cast["admin"])
    html = client.get(url(cast)).text
    assert "Nothing yet in these two periods" in html
    assert "No completions or awards in the last 12 months yet." in html
    assert "No published pathway yet" in html
    assert "No published module has an assessment task yet." in html
    assert "No submission is waiting for a grade now." in html


def test_the_csv_tables_download_with_clear_names(client, history, at_now):
    cast = history.cast
    client.force_login(cast["admin"])
    today = "2026-03-10"
    slug = cast.organization.slug

    tasks = client.get(url(cast, format="csv", table="tasks"))
    assert tasks["Content-Type"] == "text/csv; charset=utf-8"
    assert tasks["Content-Disposition"] == (
        f'attachment; filename="{slug}-analytics-tasks-{today}.csv"'
    )
    header, *body = rows(tasks)
    assert header[:4] == ["module", "version", "task", "submissions"]
    assert body[0] == [
        "A-101", "1", "Task of A-101", "4", "3", "2",
        "50.0", "100.0", "1.5", "3.0", "0.0",
    ]  # fmt: skip
    assert [r[0] for r in body] == ["A-101", "B-102", "C-103"]
    assert body[2][-1] == "100.0"

    pathways = rows(client.get(url(cast, format="csv", table="pathways")))
    assert pathways[1] == ["PATH", "1", "Data pathway", "3", "2", "1", "33.3", "20.0"]

    headline = client.get(url(cast, days=30, format="csv", table="headline"))
    assert headline["Content-Disposition"] == (
        f'attachment; filename="{slug}-analytics-headline-last-30-days-{today}.csv"'
    )
    table = rows(headline)
    assert table[0][1].startswith("last 30 days")
    assert ["Module completions", "3", "2"] in table
    assert ["Module completions by recognition of prior learning", "0", "1"] in table
    assert ["Median days from submission to grade", "2.0", "3.0"] in table
    assert ["Submissions waiting now", "2", ""] in table
    assert ["Days the oldest waiting submission has waited", "12.0", ""] in table

    months = rows(client.get(url(cast, format="csv", table="months")))
    assert months[0] == [
        "month", "module completions", "pathway completions", "awards issued"
    ]  # fmt: skip
    assert len(months) == 13


@pytest.mark.parametrize(
    "query",
    [{"format": "csv", "table": "secrets"}, {"format": "xlsx", "table": "tasks"}],
)
def test_a_bad_download_request_is_refused_in_words(client, cast, query):
    client.force_login(cast["admin"])
    response = client.get(url(cast, **query))
    assert response.status_code == 400
    assert response.content.decode().strip()


def test_spreadsheet_formulas_in_titles_are_quoted(client, cast):
    task = builders.make_module(cast, "F-106")
    type(task).objects.filter(pk=task.pk).update(title="=HYPERLINK(1)")
    client.force_login(cast["admin"])
    [_, row] = rows(client.get(url(cast, format="csv", table="tasks")))
    assert row[2] == "'=HYPERLINK(1)"


def _page_queries(client, cast) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(cast)).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_one_learner_or_many(
    client, cast, pathway, django_assert_max_num_queries
):
    a, b, _ = pathway.tasks
    pathways.enrol(cast["learner"], pathway.version)
    builders.submit_and_pass(a, cast["learner"], cast["faculty"])
    client.force_login(cast["admin"])
    with_one = _page_queries(client, cast)
    for _ in range(6):
        learner = new_learner(cast)
        pathways.enrol(learner, pathway.version)
        builders.submit_and_pass(a, learner, cast["faculty"])
        builders.submit(b, learner)
    with django_assert_max_num_queries(with_one):
        response = client.get(url(cast))
    assert "7 enrolled" in response.text


def test_admins_find_analytics_in_the_menu(client, cast):
    client.force_login(cast["admin"])
    html = client.get(reverse("curriculum:catalogue")).text
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    assert f'href="{url(cast)}">Analytics<' in nav
    client.force_login(cast["designer"])
    html = client.get(reverse("curriculum:catalogue")).text
    assert ">Analytics<" not in html


def test_the_figures_are_rendered_once_per_reading_of_them(client, cast, settings):
    """The figures' HTML is kept with the reading it shows: a period, or a new
    reading once the kept one is gone, renders it again."""
    from django.core.cache import cache

    settings.CAIRN_ANALYTICS_CACHE_SECONDS = 300
    client.force_login(cast["admin"])

    def rendered(response) -> bool:
        assert response.status_code == 200
        return "analytics/_figures.html" in [t.name for t in response.templates]

    first = client.get(url(cast))
    assert rendered(first)
    again = client.get(url(cast))
    assert not rendered(again)
    section = re.compile(
        r'<section aria-labelledby="headline-heading">.*</section>', re.S
    )
    assert section.search(again.text)[0] == section.search(first.text)[0]
    assert rendered(client.get(url(cast, days=30)))
    cache.clear()  # the reading expired: read and rendered afresh
    assert rendered(client.get(url(cast)))
