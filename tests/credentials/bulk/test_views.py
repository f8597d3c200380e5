"""The bulk award pages: only the organization's admins, reached from the
home page and the issued credentials; the dry run's problems, the start, the
progress and the report (formula-safe, hostile files refused clearly)."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials.models import BulkAward, DirectAward
from tests import builders
from tests.credentials.bulk.conftest import HEADER, upload

DAY = (timezone.localdate() - timedelta(days=2)).isoformat()


@pytest.fixture
def module(cast):
    return builders.make_module(cast, "XL-200")


def list_url(cast):
    return reverse("credentials:bulk-awards", args=[cast.organization.slug])


def good_file(cast, narrative="Ran the clinic"):
    return HEADER + f"{cast['learner'].email},,XL-200,{DAY},{narrative},,\n"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("designer", 403),
        ("faculty", 403),
        ("reviewer", 403),
        ("learner", 403),
        ("outside_faculty", 403),
        ("stranger", 403),
    ],
)
def test_only_the_organizations_admins_reach_bulk_awards(
    client, cast, module, role, status
):
    client.force_login(cast[role])
    assert client.get(list_url(cast)).status_code == status
    response = client.post(list_url(cast), {"file": upload(good_file(cast))})
    assert response.status_code == (302 if status == 200 else status)
    if status == 403:
        assert not BulkAward.objects.exists()


def test_an_admin_of_another_organization_cannot_see_or_start_a_job(
    client, cast, module
):
    client.force_login(cast["admin"])
    client.post(list_url(cast), {"file": upload(good_file(cast))})
    job = BulkAward.objects.get()
    other = builders.make_cast()
    client.force_login(other["admin"])
    for name, method in (
        ("bulk-award", "get"),
        ("bulk-award-start", "post"),
        ("bulk-award-report", "get"),
    ):
        url = reverse(f"credentials:{name}", args=[job.pk])
        assert getattr(client, method)(url).status_code == 403
    job.refresh_from_db()
    assert job.status == "checked"


def test_the_page_is_reached_from_home_and_starts_empty(client, cast):
    client.force_login(cast["admin"])
    assert list_url(cast) in client.get("/").text
    manage = reverse("credentials:manage", args=[cast.organization.slug])
    assert list_url(cast) in client.get(manage).text
    page = client.get(list_url(cast))
    assert "No bulk award yet" in page.text


def test_past_jobs_are_paginated(client, cast, module):
    client.force_login(cast["admin"])
    for n in range(23):
        client.post(list_url(cast), {"file": upload(good_file(cast), f"a{n}.csv")})
    assert BulkAward.objects.count() == 23
    first = client.get(list_url(cast))
    assert "Page 1 of 2" in first.text
    assert "a22.csv" in first.text
    assert "a0.csv" not in first.text
    assert "a0.csv" in client.get(list_url(cast) + "?page=2").text


def test_dry_run_start_progress_and_report(
    client, cast, module, django_capture_on_commit_callbacks
):
    client.force_login(cast["admin"])
    text = good_file(cast, narrative='=HYPERLINK("https://evil.example")')
    response = client.post(list_url(cast), {"file": upload(text)})
    job = BulkAward.objects.get()
    assert response.url == job.get_absolute_url()
    page = client.get(job.get_absolute_url())
    assert "found no problem in 1 line" in page.text
    assert "data-confirm=" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("credentials:bulk-award-start", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done"
    progress = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "Done: 1 awarded" in progress.text
    report = client.get(reverse("credentials:bulk-award-report", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[0][:7] == [
        "line",
        "person",
        "achievement",
        "issue_date",
        "narrative",
        "evidence_url",
        "outcome",
    ]
    assert rows[1][6] == "awarded"
    # The formula typed in the narrative is neutralised in the report.
    assert rows[1][4] == '\'=HYPERLINK("https://evil.example")'
    assert rows[1][7].startswith("http")
    assert "/credentials/" in rows[1][7]


def test_a_dry_run_with_problems_lists_them_and_keeps_nothing(client, cast, module):
    client.force_login(cast["admin"])
    text = HEADER + f"nobody@example.edu,,XL-200,{DAY},,,\n"
    page = client.post(list_url(cast), {"file": upload(text)})
    assert page.status_code == 400
    assert "1 problem: nothing was awarded" in page.text
    assert "nobody in" in page.text
    assert not BulkAward.objects.exists()


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        (HEADER.encode() + b"a@b.edu,,XL-200," + b"\x00" * 5 + b",,,\n", "NUL"),
        (b"email,achievement\n" + "é".encode("latin-1"), "not UTF-8"),
        (
            HEADER.encode()
            + b'a@b.edu,,XL-200,2026-01-01,"'
            + b"x" * 200_000
            + b'",,\n',
            "longer than",
        ),
        (b"name,colour\nx,y\n", "must name the columns"),
        (HEADER.encode(), "no rows"),
    ],
)
def test_hostile_files_get_a_clear_message_and_change_nothing(
    client, cast, module, raw, said
):
    client.force_login(cast["admin"])
    page = client.post(list_url(cast), {"file": upload(raw)})
    assert page.status_code == 400
    assert said in page.text
    assert not BulkAward.objects.exists()
    assert not DirectAward.objects.exists()
