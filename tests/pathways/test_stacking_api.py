"""A module's stacking profile through the API: read and set its tags and
prerequisites with a designer's token, through set_stacking."""

import pytest

from accounts.models import AuditEntry
from pathways import services
from pathways.models import StackingProfile
from tests import builders
from tests.integrations.conftest import bearer, personal_token


@pytest.fixture
def modules(cast):
    return [builders.make_module(cast, code).version.module for code in "ABC"]


def _url(module) -> str:
    return f"/api/modules/{module.pk}/stacking/"


def profile(module):
    found = StackingProfile.objects.filter(module=module).first()
    return None if found is None else (found.tags, found.prerequisite)


def test_a_designer_token_sets_and_reads_tags_and_prerequisites(cast, modules):
    a, b, c = modules
    api = bearer(personal_token(cast["designer"], name="catalogue"))
    assert api.get(_url(c)).json() == {"tags": [], "prerequisites": []}
    answer = api.put(
        _url(c),
        {"tags": ["data", " elective "], "prerequisites": ["B", "A"]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"tags": ["data", "elective"], "prerequisites": ["A", "B"]}
    assert api.get(_url(c)).json() == answer.json()
    assert profile(c)[1] == services.all_of(["B", "A"])
    entry = AuditEntry.objects.get(action="module.stacking")
    assert entry.data["via"].startswith("token catalogue (")


def test_bad_prerequisites_are_400s_that_change_nothing(cast, modules):
    a, b, c = modules
    services.set_stacking(b, by=cast["designer"], prerequisite=services.all_of(["A"]))
    api = bearer(personal_token(cast["designer"]))
    before = [profile(m) for m in modules]
    for body in (
        {"prerequisites": ["C"]},  # its own prerequisite
        {"prerequisites": ["NOPE-9"]},  # no such module here
        {"tags": "not a list"},
        {"tags": ["x" * 51]},
    ):
        answer = api.put(_url(c), body, format="json")
        assert answer.status_code == 400, body
    # A cycle: A after B after A.
    assert api.put(_url(a), {"prerequisites": ["B"]}, format="json").status_code == 400
    assert [profile(m) for m in modules] == before


def test_only_the_organization_s_designers_and_admins(cast, modules):
    url = _url(modules[0])
    for user in (cast["faculty"], cast["learner"], cast["outside_faculty"]):
        api = bearer(personal_token(user))
        assert api.get(url).status_code == 404
        assert api.put(url, {"tags": ["x"]}, format="json").status_code == 404
    reader = bearer(personal_token(cast["admin"], "read"))
    assert reader.get(url).status_code == 200
    assert reader.put(url, {"tags": ["x"]}, format="json").status_code == 403
    assert profile(modules[0]) is None
