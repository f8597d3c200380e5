"""The audit trail page: who may read it, what real actions leave in it, its
filters, pages and CSV download."""

import csv
import io
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.audit import log_action
from accounts.models import AuditEntry, Membership
from assessments import services as assessments
from assessments.models import Submission
from credentials import services as credentials
from credentials.models import Award
from curriculum import services as curriculum
from tests import builders, factories


def url(organization, **query) -> str:
    address = reverse("accounts:audit", args=[organization.slug])
    return f"{address}?{urlencode(query)}" if query else address


def rows_of(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def shown(response) -> int:
    """How many entries the page lists."""
    return response.text.count("<time datetime=")


@pytest.fixture
def admin(cast):
    person = cast["admin"]
    person.first_name, person.last_name = "Ada", "Okafor"
    person.save(update_fields=["first_name", "last_name"])
    return person


@pytest.fixture
def award(cast, pathway, django_capture_on_commit_callbacks):
    """A module award, issued through the real path (grade → completion → award)."""
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def at(entry: AuditEntry, day: int) -> None:
    AuditEntry.objects.filter(pk=entry.pk).update(
        at=datetime(2026, 3, day, 12, 0, tzinfo=UTC)
    )


# ------------------------------------------------------------------ who may read


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
def test_only_the_organizations_admins_read_its_audit_trail(client, cast, role, status):
    client.force_login(cast[role])
    assert client.get(url(cast.organization)).status_code == status
    assert client.get(url(cast.organization, format="csv")).status_code == status


def test_an_admin_of_another_organization_is_refused(client, cast):
    other_admin = factories.UserFactory()
    curriculum.add_member(
        cast.other_organization, other_admin, role=Membership.Role.ADMIN
    )
    client.force_login(other_admin)
    assert client.get(url(cast.organization)).status_code == 403
    assert client.get(url(cast.other_organization)).status_code == 200


def test_visitors_are_sent_to_log_in(client, cast):
    response = client.get(url(cast.organization))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_organization_is_not_found(client, cast):
    client.force_login(cast["admin"])
    missing = reverse("accounts:audit", args=["no-such-college"])
    assert client.get(missing).status_code == 404


def test_the_issuer_and_analytics_pages_link_to_it(client, cast):
    client.force_login(cast["admin"])
    audit = url(cast.organization)
    issuer = client.get(reverse("credentials:issuer", args=[cast.organization.slug]))
    assert f'href="{audit}">Audit trail<' in issuer.text
    analytics = reverse("analytics:organization", args=[cast.organization.slug])
    assert f'href="{audit}">Audit trail<' in client.get(analytics).text


# ------------------------------------------------------------- what it shows


def test_a_revocation_shows_who_when_and_why(client, cast, admin, award):
    credentials.revoke_award(
        award, by=admin, reason="Plagiarism found in the evidence.", notify=False
    )
    client.force_login(admin)
    response = client.get(url(cast.organization, area="award"))
    assert response.status_code == 200
    text = response.text
    assert "Revoked a credential" in text
    assert "Ada Okafor" in text
    assert "<dt>reason</dt><dd>Plagiarism found in the evidence.</dd>" in text
    assert f"Award: {escape(award.achievement_name)}" in text
    assert " UTC</time>" in text
    learner = award.learner
    named = escape(f"{learner.get_full_name()} ({learner.username})")
    assert f"<dd>{named}</dd>" in text
    # The entry leads to the credential, and its achievement finds it.
    assert f'href="{award.get_absolute_url()}"' in text
    found = client.get(url(cast.organization, q=award.achievement_name)).text
    assert "Revoked a credential" in found
    # Newest first: the revocation comes before the issuing.
    assert text.index("Revoked a credential") < text.index("Issued a credential")


def test_the_system_and_a_rotated_key_appear_in_words(client, cast, admin, award):
    credentials.rotate_signing_key(cast.organization, by=admin)
    client.force_login(admin)
    text = client.get(url(cast.organization, area="key")).text
    assert "Rotated the signing key" in text
    assert "Made a signing key" in text  # by the worker, on the first award
    assert '<span class="muted">Cairn</span>' in text
    issuer = reverse("credentials:issuer", args=[cast.organization.slug])
    assert f'<a href="{issuer}">Signing key ' in text


def test_a_grade_change_shows_before_after_and_the_reason(
    client, cast, admin, pathway, award
):
    task = pathway.tasks[0]
    grade = Submission.objects.get(task=task, learner=cast["learner"]).grade
    assessments.change_grade(
        grade,
        by=admin,
        levels=builders.levels_for(task, 3),
        reason="Second marker's appeal review: the chart is exemplary.",
    )
    client.force_login(admin)
    text = client.get(url(cast.organization, area="grade")).text
    assert "Changed a grade" in text
    assert "<dt>before</dt><dd>total: 4, passed: yes</dd>" in text
    assert "<dt>after</dt><dd>total: 6, passed: yes</dd>" in text
    assert "the chart is exemplary." in text


def test_objects_with_a_cheap_address_are_linked(client, cast, admin, pathway):
    client.force_login(admin)
    text = client.get(url(cast.organization, area="version")).text
    module_version = pathway.tasks[0].version
    assert f'href="{module_version.get_absolute_url()}"' in text
    assert f'href="{pathway.version.get_absolute_url()}"' in text
    assert "Published a version" in text


def test_objects_are_named_by_their_titles_not_their_ids(client, cast, admin, pathway):
    client.force_login(admin)
    text = client.get(url(cast.organization, area="version")).text
    module_version = pathway.tasks[0].version
    assert f"Module version: {escape(module_version.title)}" in text
    assert f"Pathway version: {escape(pathway.version.title)}" in text
    assert f"Module version {module_version.pk}<" not in text


def test_an_unknown_action_is_shown_as_logged(client, cast, admin):
    log_action(
        admin, "ledger.balanced", cast.organization, organization=cast.organization
    )
    client.force_login(admin)
    text = client.get(url(cast.organization)).text
    assert "ledger.balanced" in text
    area = client.get(url(cast.organization, area="ledger"))
    assert shown(area) == 1


# ------------------------------------------------------------------ filters


@pytest.fixture
def entries(cast, admin):
    """Entries of three areas, by two people and the system, on known days."""
    org = cast.organization
    AuditEntry.objects.filter(organization=org).delete()
    made = {
        "revoked": log_action(
            admin, "award.revoked", org, organization=org, reason="Left the college"
        ),
        "rotated": log_action(admin, "key.rotated", org, organization=org),
        "created": log_action(None, "key.created", org, organization=org),
        "changed": log_action(
            cast["faculty"],
            "grade.changed",
            org,
            organization=org,
            reason="Arithmetic slip on appeal",
        ),
    }
    for name, day in [("revoked", 1), ("rotated", 5), ("created", 5), ("changed", 9)]:
        at(made[name], day)
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"revoked", "rotated", "created", "changed"}),
        ({"area": "key"}, {"rotated", "created"}),
        ({"area": "award"}, {"revoked"}),
        ({"person": "Okafor"}, {"revoked", "rotated"}),
        ({"person": "ada okafor"}, {"revoked", "rotated"}),
        ({"person": "Cairn"}, {"created"}),
        ({"since": "2026-03-05"}, {"rotated", "created", "changed"}),
        ({"until": "2026-03-05"}, {"revoked", "rotated", "created"}),
        ({"since": "2026-03-05", "until": "2026-03-05"}, {"rotated", "created"}),
        ({"q": "college"}, {"revoked"}),
        ({"q": "appeal slip"}, {"changed"}),
        ({"area": "key", "person": "Okafor", "since": "2026-03-02"}, {"rotated"}),
    ],
)
def test_each_filter_narrows_the_entries(client, cast, admin, entries, query, expected):
    client.force_login(admin)
    response = client.get(url(cast.organization, **query))
    assert response.status_code == 200
    assert shown(response) == len(expected)
    # Each entry has its own action, so the actions name the entries found.
    csv_rows = rows_of(client.get(url(cast.organization, format="csv", **query)))
    actions = sorted(row[3] for row in csv_rows[1:])
    assert actions == sorted(entries[name].action for name in expected)


def test_the_area_choices_are_the_organizations_own(client, cast, admin, entries):
    client.force_login(admin)
    text = client.get(url(cast.organization)).text
    assert '<option value="key">Signing keys</option>' in text
    assert '<option value="grade">Grade changes</option>' in text
    assert '<option value="version">' not in text  # none logged here


def test_an_area_with_no_entries_yet_is_an_empty_trail(client, cast, admin, entries):
    """The single sign-on page links to "?area=sso": before anyone signs in
    through a provider it was a 400 (not one of the choices)."""
    client.force_login(admin)
    response = client.get(url(cast.organization, area="sso"))
    assert response.status_code == 200
    assert '<option value="sso" selected>Single sign-on</option>' in response.text
    assert shown(response) == 0
    download = client.get(url(cast.organization, area="sso", format="csv"))
    assert download.status_code == 200
    assert len(rows_of(download)) == 1  # the heading alone
    assert client.get(url(cast.organization, area="no-such-area")).status_code == 400


def test_an_end_before_the_start_is_explained(client, cast, admin, entries):
    client.force_login(admin)
    query = {"since": "2026-03-09", "until": "2026-03-01"}
    response = client.get(url(cast.organization, **query))
    assert response.status_code == 400
    assert "The end date comes before the start date." in response.text
    refused = client.get(url(cast.organization, format="csv", **query))
    assert refused.status_code == 400


def test_nothing_matching_says_what_to_change(client, cast, admin, entries):
    client.force_login(admin)
    response = client.get(url(cast.organization, q="no such words anywhere"))
    assert shown(response) == 0
    assert "0 entries match" in response.text
    assert "No entry matches these filters." in response.text
    assert f'<a href="{url(cast.organization)}">show every entry</a>' in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [({}, 4), ({"q": "college"}, 1), ({"area": "award"}, 1), ({"person": "Okafor"}, 2)],
)
def test_another_organizations_entries_never_show(
    client, cast, admin, entries, query, expected
):
    other = cast.other_organization
    log_action(
        admin, "award.revoked", other, organization=other, reason="Left the college"
    )
    client.force_login(admin)
    assert shown(client.get(url(cast.organization, **query))) == expected
    csv_rows = rows_of(client.get(url(cast.organization, format="csv", **query)))
    assert len(csv_rows) == 1 + expected
    assert {row[6] for row in csv_rows[1:]} == {str(cast.organization.pk)}


# ---------------------------------------------------------- pages and CSV


def _many(cast, admin, count: int, action: str = "key.rotated") -> None:
    org = cast.organization
    for n in range(count):
        log_action(admin, action, org, organization=org, n=n)


def test_pages_of_fifty_keep_the_filters(client, cast, admin):
    _many(cast, admin, 60)
    _many(cast, admin, 5, action="award.revoked")
    client.force_login(admin)
    first = client.get(url(cast.organization, area="key", person="Okafor"))
    assert shown(first) == 50
    assert "60 entries match" in first.text
    assert "area=key&amp;person=Okafor&amp;page=2" in first.text
    second = client.get(url(cast.organization, area="key", person="Okafor", page=2))
    assert shown(second) == 10
    assert "Revoked a credential" not in second.text
    assert "area=key&amp;person=Okafor&amp;page=1" in second.text
    # The download takes every matching entry, not only the page.
    assert "area=key&amp;person=Okafor&amp;format=csv" in second.text
    rows = rows_of(client.get(url(cast.organization, area="key", format="csv")))
    assert len(rows) == 1 + 60


def test_the_csv_has_a_header_rows_and_no_formulas(client, cast, admin, award):
    credentials.revoke_award(
        award, by=admin, reason='=HYPERLINK("http://evil.example","Appeal")'
    )
    client.force_login(admin)
    response = client.get(url(cast.organization, area="award", format="csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = rows_of(response)
    assert header == [
        "when",
        "who",
        "username",
        "action",
        "what",
        "object type",
        "object id",
        "reason",
        "details",
    ]
    revoked = next(row for row in rows if row[3] == "award.revoked")
    assert revoked[1:8] == [
        "Ada Okafor",
        admin.username,
        "award.revoked",
        "Revoked a credential",
        "credentials.Award",
        str(award.pk),
        '\'=HYPERLINK("http://evil.example","Appeal")',
    ]
    assert revoked[0].endswith("+00:00")
    issued = next(row for row in rows if row[3] == "award.issued")
    learner = cast["learner"]
    named = f"learner: {learner.get_full_name()} ({learner.username})"
    assert named in issued[8].splitlines()


def test_the_page_reads_the_same_number_of_rows_for_3_or_60_entries(
    client, cast, admin
):
    client.force_login(admin)
    AuditEntry.objects.filter(organization=cast.organization).delete()
    other_person = factories.UserFactory()

    def queries(count: int) -> int:
        AuditEntry.objects.filter(organization=cast.organization).delete()
        for n in range(count):
            person = (admin, other_person, None)[n % 3]
            log_action(
                person,
                "grade.changed",
                cast.organization,
                organization=cast.organization,
                reason=f"Entry {n}",
                learner=(admin, other_person)[n % 2].pk,  # named in one query
            )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(cast.organization))
        assert response.status_code == 200
        assert shown(response) == min(count, 50)
        return len(captured)

    assert queries(3) == queries(60)


def test_every_action_the_services_log_has_words():
    """The audit trail says what happened in words: each action a service logs
    (log_action or audit_entry with a literal action) is in AUDIT_ACTIONS."""
    import pathlib
    import re

    from accounts.selectors import AUDIT_ACTIONS

    root = pathlib.Path(__file__).resolve().parents[2]
    call = re.compile(
        r"(?:log_action|audit_entry)\(\s*[^,()]+,\s*\"([a-z_]+\.[a-z_.]+)\"\s*,"
    )
    logged = {
        match.group(1)
        for path in root.glob("*/**/*.py")
        if not {".venv", "tests", "migrations", "node_modules"} & set(path.parts)
        for match in call.finditer(path.read_text())
    }
    assert len(logged) > 100
    assert sorted(logged - set(AUDIT_ACTIONS)) == []
