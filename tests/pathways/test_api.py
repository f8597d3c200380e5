import pytest
from rest_framework.test import APIClient

from assessments import services as assessments
from curriculum.models import Module
from pathways import services
from tests import builders


def m(code: str) -> dict:
    return {"type": "module", "code": code}


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def draft(cast):
    for code in ("A", "B", "C"):
        builders.make_module(cast, code)
    return services.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="P",
        rule={"type": "all", "children": [m("A")]},
    )  # fmt: skip


def test_a_designer_replaces_a_rule_and_bad_rules_are_explained(api, cast, draft):
    url = f"/api/pathway-versions/{draft.pk}/rule/"
    api.force_authenticate(cast["learner"])
    assert api.put(url, {"rule": m("B")}, format="json").status_code == 404
    api.force_authenticate(cast["designer"])
    rule = {"type": "any", "n": 1, "children": [m("A"), m("B")]}
    response = api.put(url, {"rule": rule}, format="json")
    assert response.status_code == 200
    assert response.json()["rule"] == rule
    bad = api.put(
        url, {"rule": {"type": "any", "n": 3, "children": [m("A")]}}, format="json"
    )
    assert bad.status_code == 400
    assert "can never be met" in bad.text


def test_the_simulation_endpoint_changes_nothing(api, cast, draft):
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], version)
    module = Module.objects.get(code="B")
    assessments.record_completion(
        cast["learner"], module.versions.get(status="published"), source="graded"
    )
    api.force_authenticate(cast["designer"])
    response = api.post(
        f"/api/pathway-versions/{version.pk}/simulate/",
        {"rule": {"type": "all", "children": [m("B")]}},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["gain"], data["lose"], data["keep"]) == (1, 0, 0)
    assert data["summary"] == "Complete B."
    assert not version.completions.exists()


def test_progress_through_the_api_has_next_steps_and_a_trace(api, cast, draft):
    services.update_rule(
        draft, by=cast["designer"],
        rule={"type": "all", "children": [m("A"), m("B"), m("C")]},
    )  # fmt: skip
    version = services.publish_pathway_version(draft, by=cast["admin"], changelog="x")
    services.enrol(cast["learner"], version)
    api.force_authenticate(cast["learner"])
    [progress] = api.get("/api/progress/").json()
    assert [s["code"] for s in progress["next_steps"]] == ["A", "B", "C"]
    assert (
        progress["trace"]["tree"]["label"] == "all of Module A, Module B and Module C"
    )
