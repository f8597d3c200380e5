"""Equivalences through the API: read, approve and withdraw with a token."""

import pytest

from accounts.models import AuditEntry
from integrations.tokens import services as tokens
from pathways import services
from pathways.models import Equivalence, Reevaluation
from tests import builders
from tests.integrations.conftest import bearer, personal_token, service_token


def _equivalences(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}/equivalences/"


def test_an_admin_token_approves_and_withdraws_an_equivalence(
    cast, pathway, django_capture_on_commit_callbacks
):
    code = pathway.tasks[0].version.module.code
    api = bearer(personal_token(cast["admin"], "read", "admin", name="crosswalk"))
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            _equivalences(cast),
            {"issuer": "partner-college", "achievement": "SHEETS-1", "module": code},
            format="json",
        )
    assert created.status_code == 201, created.json()
    assert created.json()["module"] == code
    assert created.json()["approved_by"] == cast["admin"].username
    equivalence = Equivalence.objects.get(pk=created.json()["id"])
    entry = AuditEntry.objects.get(action="equivalence.approved")
    assert entry.data["via"].startswith("token crosswalk (cairn_pat_")

    listed = api.get(_equivalences(cast)).json()["results"]
    assert [e["achievement"] for e in listed] == ["SHEETS-1"]
    withdrawn = api.post(f"{_equivalences(cast)}{equivalence.pk}/withdraw/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["is_withdrawn"] is True
    assert api.get(_equivalences(cast), {"live": "1"}).json()["results"] == []
    again = api.post(f"{_equivalences(cast)}{equivalence.pk}/withdraw/")
    assert again.status_code == 400
    assert "already withdrawn" in str(again.json())


def test_a_service_account_approves_one_accepted_as_itself(cast):
    account = tokens.create_service_account(
        cast.organization, by=cast["admin"], name="Registry", roles=["admin"]
    )
    api = bearer(service_token(account, cast["admin"], "admin", name="nightly"))
    created = api.post(
        _equivalences(cast),
        {"issuer": "did:web:badges.example.org", "achievement": "urn:x:1"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["module"] is None
    entry = AuditEntry.objects.get(action="equivalence.approved")
    assert entry.actor == account.user
    assert entry.data["via"].startswith("token nightly (cairn_sat_")


def test_designers_read_equivalences_but_only_admins_approve(cast):
    api = bearer(personal_token(cast["designer"]))
    assert api.get(_equivalences(cast)).status_code == 200
    body = {"issuer": "x", "achievement": "y"}
    assert api.post(_equivalences(cast), body, format="json").status_code == 403
    assert not Equivalence.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"achievement": "A"}, "issuer"),
        ({"issuer": "x", "achievement": " "}, "achievement"),
        ({"issuer": "x", "achievement": "A", "module": "NO-SUCH"}, "module"),
        ({"issuer": "{own}", "achievement": "A"}, "issuer"),
        ({"issuer": "x", "achievement": "A", "module": "{theirs}"}, "module"),
    ],
)
def test_a_bad_equivalence_is_refused_with_400_and_nothing_saved(cast, body, field):
    theirs = builders.make_module(
        _other_cast(cast), "THEIRS-1", publish=False
    ).version.module
    names = {"{own}": cast.organization.slug, "{theirs}": theirs.code}
    body = {key: names.get(value, value) for key, value in body.items()}
    api = bearer(personal_token(cast["admin"]))
    before = AuditEntry.objects.count()
    answer = api.post(_equivalences(cast), body, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Equivalence.objects.exists()
    assert AuditEntry.objects.count() == before
    assert not Reevaluation.objects.exists()


def _other_cast(cast):
    """The cast seen from its other organization, to make a module there."""
    from curriculum import services as curriculum

    other = builders.Cast(cast.other_organization)
    other.people["designer"] = cast["outside_faculty"]
    curriculum.add_member(
        cast.other_organization, cast["outside_faculty"], role="designer"
    )
    return other


def test_a_duplicate_is_refused(cast):
    services.approve_equivalence(
        cast.organization, by=cast["admin"], issuer="x", achievement="A"
    )
    api = bearer(personal_token(cast["admin"]))
    answer = api.post(
        _equivalences(cast), {"issuer": "x", "achievement": "A"}, format="json"
    )
    assert answer.status_code == 400
    assert Equivalence.objects.count() == 1
