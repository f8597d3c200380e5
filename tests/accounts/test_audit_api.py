"""The audit trail through the API: the page's filters, its entries in the
same words, pages, and the same CSV (cells safe for spreadsheets); bad
filters are a 400; another organization is refused."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import log_action
from curriculum import services as curriculum
from integrations.tokens import services as tokens
from tests.accounts import test_audit as page_tests
from tests.integrations.conftest import bearer, personal_token, service_token

# The audit page's fixtures: its admin (Ada Okafor) and entries on known days.
admin = page_tests.admin
entries = page_tests.entries


def _audit(cast, rest: str = "") -> str:
    return f"/api/organizations/{cast.organization.slug}/audit/{rest}"


@pytest.fixture
def api(cast, admin):
    """The admin's reading token, made before the entries (which clear the trail)."""
    return bearer(personal_token(admin, "read", name="auditor"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"revoked", "rotated", "created", "changed"}),
        ({"area": "key"}, {"rotated", "created"}),
        ({"person": "Okafor"}, {"revoked", "rotated"}),
        ({"person": "Cairn"}, {"created"}),
        ({"since": "2026-03-05", "until": "2026-03-05"}, {"rotated", "created"}),
        ({"q": "appeal slip"}, {"changed"}),
    ],
)
def test_the_filters_narrow_the_list_and_the_csv_alike(
    cast,
    api,
    entries,
    query,
    expected,
):
    answer = api.get(_audit(cast), query)
    assert answer.status_code == 200, answer.json()
    found = sorted(row["action"] for row in answer.json()["results"])
    assert found == sorted(entries[name].action for name in expected)
    download = api.get(_audit(cast, "csv/"), query)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert sorted(row[3] for row in rows[1:]) == found


def test_an_entry_is_in_words_with_its_reason_and_details(
    cast,
    api,
    entries,
):
    answer = api.get(_audit(cast), {"area": "award"}).json()
    (row,) = answer["results"]
    assert row["who"] == "Ada Okafor"
    assert row["username"] == cast["admin"].username
    assert row["by_system"] is False
    assert row["reason"] == "Left the college"
    assert row["details"] == {"reason": "Left the college"}
    assert row["words"] != row["action"]  # the action in plain words
    system = api.get(_audit(cast), {"person": "Cairn"}).json()["results"]
    assert [r["by_system"] for r in system] == [True]


def test_the_list_comes_in_pages_in_a_bounded_number_of_queries(cast, api, admin):
    org = cast.organization
    for n in range(60):
        log_action(admin, "key.rotated", org, organization=org, n=n)
    with CaptureQueriesContext(connection) as first:
        page = api.get(_audit(cast), {"area": "key"}).json()
    assert page["count"] == 60
    assert len(page["results"]) == 50
    second = api.get(page["next"]).json()
    assert len(second["results"]) == 10
    for n in range(200):
        log_action(admin, "key.rotated", org, organization=org, n=n)
    with CaptureQueriesContext(connection) as more:
        api.get(_audit(cast), {"area": "key"})
    assert len(more) == len(first)


def test_a_formula_in_the_data_is_made_safe_in_the_csv(cast, api, admin):
    org = cast.organization
    log_action(admin, "award.revoked", org, organization=org, reason="=HYPERLINK(1)")
    download = api.get(_audit(cast, "csv/"), {"area": "award"})
    text = b"".join(download.streaming_content).decode()
    assert "=HYPERLINK" in text
    assert ",=HYPERLINK" not in text
    assert "\n=HYPERLINK" not in text


@pytest.mark.parametrize(
    "query",
    [
        {"since": "yesterday"},
        {"since": "2026-03-09", "until": "2026-03-01"},
        {"area": "no-such-area"},
        {"q": "x" * 201},
    ],
)
def test_a_bad_filter_is_a_400(cast, api, entries, query):
    assert api.get(_audit(cast), query).status_code == 400
    assert api.get(_audit(cast, "csv/"), query).status_code == 400


def test_a_service_account_of_the_organization_reads_it(cast, entries):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="SIEM", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "read"))
    assert api.get(_audit(cast)).status_code == 200
    assert api.get(_audit(cast, "csv/")).status_code == 200


def test_others_are_refused(cast, entries):
    curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
    for person in ("stranger", "faculty", "designer"):
        api = bearer(personal_token(cast[person]))
        assert api.get(_audit(cast)).status_code == 403, person
        assert api.get(_audit(cast, "csv/")).status_code == 403, person
    # A token without `read` cannot read it either.
    writer = bearer(personal_token(cast["admin"], "admin"))
    assert writer.get(_audit(cast)).status_code == 403
