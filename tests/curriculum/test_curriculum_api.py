"""Frameworks, competencies, module fields and outcomes through the REST API,
with the pages' validation and permissions."""

import json
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from curriculum import framework_services, services
from curriculum.models import Competency, CompetencyFramework, Outcome

CASE_FILE = (
    Path(__file__).parent.parent
    / "data"
    / "case"
    / "opensalt-what-standards-could-be.json"
)


@pytest.fixture
def api():
    return APIClient()


def test_the_schema_documents_the_new_endpoints(client, db):
    schema = client.get("/api/schema/").content
    for path in (
        b"/api/frameworks/import-case/",
        b"/api/frameworks/{id}/competencies/",
        b"/api/competencies/search/",
        b"/api/outcomes/{id}/alignments/",
        b"/api/module-versions/{id}/ctdl/",
    ):
        assert path in schema, path


def test_a_designer_builds_a_framework_and_a_module_through_the_api(api, cast):
    api.force_authenticate(cast["designer"])
    created = api.post(
        "/api/frameworks/",
        {"organization": cast.organization.slug, "name": "Data"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    framework_id = created.json()["id"]
    top = api.post(
        f"/api/frameworks/{framework_id}/competencies/",
        {"code": "D", "statement": "Work with data", "type": "Domain"},
        format="json",
    ).json()
    child = api.post(
        f"/api/frameworks/{framework_id}/competencies/",
        {"code": "D.1", "statement": "Build a pivot table", "parent": top["id"],
         "education_levels": ["EQF 4"]},
        format="json",
    )  # fmt: skip
    assert child.status_code == 201, child.json()
    assert child.json()["depth"] == 1
    tree = api.get(f"/api/frameworks/{framework_id}/competencies/").json()
    assert [c["code"] for c in tree] == ["D", "D.1"]
    found = api.get("/api/competencies/search/", {"q": "pivot"}).json()
    assert [c["code"] for c in found] == ["D.1"]

    version = api.post(
        "/api/module-versions/",
        {"organization": cast.organization.slug, "code": "API-1", "title": "By API",
         "notional_hours": 50, "delivery_mode": "online"},
        format="json",
    ).json()  # fmt: skip
    outcome = api.post(
        f"/api/module-versions/{version['id']}/outcomes/",
        {"statement": "Build a pivot table", "proficiency_level": "advanced",
         "competency_ids": [child.json()["id"]]},
        format="json",
    )  # fmt: skip
    assert outcome.status_code == 201, outcome.json()
    assert outcome.json()["action_verb"] == "build"
    assert [c["code"] for c in outcome.json()["competencies"]] == ["D.1"]
    second = api.post(
        f"/api/module-versions/{version['id']}/outcomes/",
        {"statement": "Chart it"},
        format="json",
    ).json()
    moved = api.post(
        f"/api/outcomes/{second['id']}/move/", {"offset": -1}, format="json"
    )
    assert moved.json()["position"] == 1
    aligned = api.post(
        f"/api/outcomes/{second['id']}/alignments/",
        {"competency": top["id"]},
        format="json",
    )
    assert aligned.status_code == 201
    unaligned = api.delete(
        f"/api/outcomes/{second['id']}/alignments/?competency={top['id']}"
    )
    assert unaligned.json()["competencies"] == []
    patched = api.patch(
        f"/api/module-versions/{version['id']}/",
        {"level": "EQF 5", "prerequisites": [], "credits": "7.5"},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert (body["level"], body["credits"], body["notional_hours"]) == (
        "EQF 5",
        "7.5",
        50,
    )
    assert [o["statement"] for o in body["outcomes"]] == [
        "Chart it",
        "Build a pivot table",
    ]
    assert api.delete(f"/api/outcomes/{second['id']}/").status_code == 204
    assert not Outcome.objects.filter(pk=second["id"]).exists()


def test_the_api_gives_the_same_validation_as_the_pages(api, cast):
    api.force_authenticate(cast["designer"])
    version = services.create_module_version(
        cast.organization, by=cast["designer"], code="V-1", title="V"
    )
    bad = api.post(
        f"/api/module-versions/{version.pk}/outcomes/",
        {"statement": "A chart", "action_verb": "create"},
        format="json",
    )
    assert bad.status_code == 400
    assert "Start the statement with its action verb" in json.dumps(bad.json())
    badge = api.patch(
        f"/api/module-versions/{version.pk}/",
        {"badge_image": _upload(b"GIF89a nope")},
        format="multipart",
    )
    assert badge.status_code == 400
    assert "must be a PNG or an SVG" in json.dumps(badge.json())
    assert not version.outcomes.exists()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("badge.gif", data)


def test_case_import_and_export_through_the_api(api, cast):
    api.force_authenticate(cast["designer"])
    package = json.loads(CASE_FILE.read_text())
    response = api.post(
        "/api/frameworks/import-case/",
        {"organization": cast.organization.slug, "package": package},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["framework"]["competency_count"] == 16
    assert any("sequenceNumber" in w for w in response.json()["warnings"])
    framework_id = response.json()["framework"]["id"]
    exported = api.get(f"/api/frameworks/{framework_id}/case/").json()
    assert exported["CFDocument"]["identifier"] == package["CFDocument"]["identifier"]

    package["CFAssociations"][3]["originNodeURI"]["identifier"] = "ghost"
    package["CFDocument"]["identifier"] = "another-one"
    broken = api.post(
        "/api/frameworks/import-case/",
        {"organization": cast.organization.slug, "package": package},
        format="json",
    )
    assert broken.status_code == 400
    assert (
        "CFAssociations[3].originNodeURI: points to 'ghost'"
        in broken.json()["package"][0]
    )
    assert CompetencyFramework.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("designer", 200, 201), ("admin", 200, 201), ("reviewer", 200, 403),
     ("learner", 404, 404), ("stranger", 404, 404)],
)  # fmt: skip
def test_framework_permissions_match_the_pages(api, cast, role, read, write):
    framework = framework_services.create_framework(
        cast.organization, by=cast["designer"], name="Draft"
    )
    api.force_authenticate(cast[role])
    assert api.get(f"/api/frameworks/{framework.pk}/").status_code == read
    response = api.post(
        f"/api/frameworks/{framework.pk}/competencies/",
        {"statement": "X"},
        format="json",
    )
    assert response.status_code == write
    assert Competency.objects.count() == (1 if write == 201 else 0)


def test_anyone_reads_a_published_framework_and_ctdl(api, cast):
    framework = framework_services.create_framework(
        cast.organization, by=None, name="Pub"
    )
    competency = framework_services.add_competency(framework, by=None, statement="Do X")
    framework_services.publish_framework(framework, by=None)
    version = services.create_module_version(
        cast.organization, by=cast["designer"], code="P-1", title="Published"
    )
    services.add_outcome(
        version, by=cast["designer"], statement="Do X well", competencies=[competency]
    )
    services.publish_version(version, by=cast["admin"], changelog="First.")
    assert api.get(f"/api/frameworks/{framework.pk}/case/").status_code == 200
    ctdl = api.get(f"/api/module-versions/{version.pk}/ctdl/").json()
    assert ctdl["ceterms:requires"][0]["ceterms:targetCompetency"][0][
        "ceterms:targetNodeName"
    ] == {"en": "Do X"}
    # Without credentials: 401 with a Bearer challenge (docs/decisions/0015).
    assert (
        api.patch(
            f"/api/module-versions/{version.pk}/", {"title": "x"}, format="json"
        ).status_code
        == 401
    )


def test_csv_import_through_the_api_names_row_and_column(api, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.force_authenticate(cast["designer"])
    good = SimpleUploadedFile("c.csv", b"code,statement,parent\nA,One,\nA.1,Two,A\n")
    response = api.post(
        "/api/frameworks/import-csv/",
        {"organization": cast.organization.slug, "framework": "Sheet", "file": good},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["framework"]["competency_count"] == 2
    bad = SimpleUploadedFile("c.csv", b"code,statement,parent\nB,Three,Z\n")
    response = api.post(
        "/api/frameworks/import-csv/",
        {"organization": cast.organization.slug, "framework": "Sheet", "file": bad},
        format="multipart",
    )
    assert response.status_code == 400
    assert "row 2, column parent: 'Z'" in response.json()["file"][0]
    assert Competency.objects.count() == 2
