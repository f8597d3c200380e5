"""NUL characters and absurdly nested JSON are refused at the door with a 400
and a clear message, for every page and endpoint, and nothing is changed."""

import json

import pytest
from django.urls import reverse

from curriculum.models import Competency, CompetencyFramework

DEEP = 100_000
DEEP_JSON = "[" * DEEP + "]" * DEEP


@pytest.mark.parametrize(
    "url",
    [
        "/api/competencies/search/?q=a%00b",
        "/api/competencies/search/?q%00=a",
        "/curriculum/competencies/search/?q=%00",
        "/credentials/verify/?q=%00",
    ],
)
def test_a_nul_in_a_query_is_refused_clearly(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_posted_form_changes_nothing(client, cast):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:framework-create"),
        {"organization": cast.organization.slug, "name": "Skills\x00"},
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert not CompetencyFramework.objects.filter(name__startswith="Skills").exists()


def test_a_nul_in_a_json_body_changes_nothing(client, cast):
    client.force_login(cast["designer"])
    framework = CompetencyFramework.objects.create(
        organization=cast.organization, name="Draft"
    )
    for body in (
        json.dumps({"statement": "Use\x00 tools"}),
        '{"statement": "Use\\u0000 tools"}',
        '{"st\\u0000": "Use tools"}',
    ):
        response = client.post(
            f"/api/frameworks/{framework.pk}/competencies/",
            body,
            content_type="application/json",
        )
        assert response.status_code == 400, body
        assert "NUL character" in response.json()["detail"]
    assert not Competency.objects.filter(framework=framework).exists()


def test_an_escaped_backslash_before_u0000_is_plain_text(client, cast):
    client.force_login(cast["designer"])
    framework = CompetencyFramework.objects.create(
        organization=cast.organization, name="Draft"
    )
    response = client.post(
        f"/api/frameworks/{framework.pk}/competencies/",
        json.dumps({"statement": "Write \\u0000 in C"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Competency.objects.get(framework=framework).statement == (
        "Write \\u0000 in C"
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/verify",
        "/api/frameworks/import-case/",
        "/api/reviews/submit/",
        "/api/module-versions/",
    ],
)
def test_json_nested_100000_deep_is_refused_clearly(client, cast, url):
    client.force_login(cast["admin"])
    frameworks = CompetencyFramework.objects.count()
    response = client.post(url, DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert CompetencyFramework.objects.count() == frameworks


def test_json_nested_within_reason_passes_the_door(client, db):
    depth = 50
    body = '{"credential": ' + "[" * depth + "]" * depth + "}"
    response = client.post("/api/verify", body, content_type="application/json")
    # The door lets it in; the verifier itself says it is no credential.
    assert response.status_code in (200, 400)
    assert "nested" not in response.content.decode()
