"""The analytics figures as JSON (/api/organizations/<slug>/analytics/)."""

from types import SimpleNamespace

import pytest

from tests.analytics.conftest import NOW


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr("analytics.api.timezone", SimpleNamespace(now=lambda: NOW))


def url(cast, **query) -> str:
    path = f"/api/organizations/{cast.organization.slug}/analytics/"
    return path + (
        "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    )


def test_an_admin_reads_the_figures_as_json(client, history, at_now):
    cast = history.cast
    client.force_login(cast["admin"])
    data = client.get(url(cast, days=30)).json()
    assert data["organization"] == cast.organization.slug
    assert data["period"]["days"] == 30
    figures = {
        f["key"]: (f["current"], f["previous"], f["change"]) for f in data["figures"]
    }
    assert figures["module_completions"] == (3, 2, 1)
    assert figures["awards_revoked"] == (1, 0, 1)
    assert figures["median_days_to_grade"] == (2.0, 3.0, -1.0)
    units = {f["key"]: f["unit"] for f in data["figures"]}
    assert units["median_days_to_grade"] == "days"
    assert units["awards_issued"] == "count"
    assert data["waiting"]["submissions"] == 2
    assert data["waiting"]["oldest_days"] == pytest.approx(12.0)
    assert len(data["months"]) == 12
    assert data["months"][-1]["month"] == "2026-03"
    [pathway] = data["pathways"]
    assert (pathway["enrolled"], pathway["completed"]) == (3, 1)
    assert pathway["completion_rate"] == pytest.approx(1 / 3)
    assert {task["title"] for task in data["tasks"]} == {
        task.title for task in history.built.tasks
    }


def test_the_period_is_checked(client, history, at_now):
    client.force_login(history.cast["admin"])
    response = client.get(url(history.cast, days=7))
    assert response.status_code == 400
    assert "30, 90, 365" in response.json()["days"][0]
    assert client.get(url(history.cast)).json()["period"]["days"] == 90


@pytest.mark.parametrize("role", ["designer", "faculty", "reviewer", "learner"])
def test_only_admins_read_them(client, history, role):
    client.force_login(history.cast[role])
    assert client.get(url(history.cast)).status_code == 403


def test_visitors_are_refused(client, history):
    assert client.get(url(history.cast)).status_code in (401, 403)


def test_the_endpoint_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/organizations/{slug}/analytics/" in schema["paths"]
