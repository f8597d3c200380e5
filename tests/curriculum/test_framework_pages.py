"""Framework pages: authoring in the browser, uploads imported by a task, exports,
search, permissions and flat query counts."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from curriculum import framework_services
from curriculum.models import Competency, CompetencyFramework, FrameworkImport

CASE_FILE = (
    Path(__file__).parent.parent
    / "data"
    / "case"
    / "opensalt-test-framework-65items.json"
)


@pytest.fixture
def framework(cast):
    framework = framework_services.create_framework(
        cast.organization, by=cast["designer"], name="Data skills"
    )
    top = framework_services.add_competency(
        framework, by=cast["designer"], statement="Work with data", code="D"
    )
    framework_services.add_competency(
        framework, by=cast["designer"], statement="Build a pivot table", code="D.1",
        parent=top,
    )  # fmt: skip
    return framework


def test_a_designer_creates_a_framework_and_adds_competencies_in_place(client, cast):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:framework-create"),
        {"organization": cast.organization.pk, "name": "Soft skills", "language": "en"},
    )
    framework = CompetencyFramework.objects.get(name="Soft skills")
    assert response.url == framework.get_absolute_url()
    add = reverse("curriculum:competency-add", args=[framework.pk])
    fragment = client.post(
        add,
        {"code": "S1", "statement": "Listen actively"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert "Listen actively" in fragment.text
    parent = Competency.objects.get(code="S1")
    client.post(
        add, {"code": "S1.1", "statement": "Ask open questions", "parent": parent.pk}
    )
    assert Competency.objects.get(code="S1.1").parent == parent
    assert framework.associations.filter(association_type="isChildOf").count() == 2


def test_a_failed_save_keeps_what_was_typed_and_says_why_beside_the_field(
    client, cast, framework
):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:competency-add", args=[framework.pk]),
        {"code": "KEEP-ME", "statement": "   "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert 'value="KEEP-ME"' in response.text
    assert (
        "This field is required." in response.text
        or "Write the competency" in response.text
    )
    assert not Competency.objects.filter(code="KEEP-ME").exists()


def test_moving_a_competency_into_its_own_child_is_refused(client, cast, framework):
    top = framework.competencies.get(code="D")
    child = framework.competencies.get(code="D.1")
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:competency-edit", args=[top.pk]),
        {"code": "D", "statement": "Work with data", "parent": child.pk},
    )
    assert response.status_code == 400
    assert "cannot sit inside itself" in response.text
    top.refresh_from_db()
    assert top.parent is None


def test_removing_asks_first_and_refuses_a_competency_with_children(
    client, cast, framework
):
    top = framework.competencies.get(code="D")
    child = framework.competencies.get(code="D.1")
    client.force_login(cast["designer"])
    remove = reverse("curriculum:competency-remove", args=[top.pk])
    assert "Remove this competency?" in client.get(remove).text
    client.post(remove)
    assert Competency.objects.filter(pk=top.pk).exists()
    client.post(reverse("curriculum:competency-remove", args=[child.pk]))
    assert not Competency.objects.filter(pk=child.pk).exists()
    assert AuditEntry.objects.filter(action="competency.removed").count() == 1


def test_a_published_framework_is_frozen_and_public(client, cast, framework):
    client.force_login(cast["designer"])
    assert (
        client.post(
            reverse("curriculum:framework-publish", args=[framework.pk])
        ).status_code
        == 403
    )
    client.force_login(cast["admin"])
    client.post(reverse("curriculum:framework-publish", args=[framework.pk]))
    framework.refresh_from_db()
    assert framework.status == CompetencyFramework.Status.PUBLISHED
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:competency-add", args=[framework.pk]), {"statement": "Late"}
    )
    assert response.status_code == 400
    assert "is published and can no longer be edited" in response.text
    client.logout()
    assert client.get(framework.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("designer", 200),
        ("reviewer", 200),
        ("learner", 404),
        ("stranger", 404),
        (None, 404),
    ],
)
def test_a_draft_framework_is_seen_by_staff_only(client, cast, framework, role, status):
    if role:
        client.force_login(cast[role])
    assert client.get(framework.get_absolute_url()).status_code == status
    assert (
        client.get(
            reverse("curriculum:framework-case", args=[framework.pk])
        ).status_code
        == status
    )


def test_an_upload_is_imported_by_a_task_with_progress_shown(
    client, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast["designer"])
    upload = SimpleUploadedFile(
        "framework.json", CASE_FILE.read_bytes(), "application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("curriculum:import-create"),
            {"organization": cast.organization.pk, "format": "case", "file": upload},
        )
    job = FrameworkImport.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.status == FrameworkImport.Status.DONE
    assert job.framework.competencies.count() == 65
    assert framework_services.import_progress(job) == (130, 130)
    page = client.get(job.get_absolute_url())
    assert "Imported 65 competencies" in page.text
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text
    assert "hx-trigger" not in fragment.text  # finished: no more polling
    # Running the task again does nothing.
    from curriculum import tasks

    assert tasks.run_framework_import(job.pk) == "done"
    assert CompetencyFramework.objects.count() == 1


def test_a_pending_import_polls_and_shows_progress(client, cast):
    job = FrameworkImport.objects.create(
        organization=cast.organization, format="case", filename="big.json",
        created_by=cast["designer"],
    )  # fmt: skip
    from django.core.cache import cache

    cache.set(framework_services.progress_key(job.pk), (500, 2000))
    client.force_login(cast["designer"])
    fragment = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.text
    assert "500 of 2000 records" in fragment.text
    assert 'aria-valuenow="25"' in fragment.text
    client.force_login(cast["stranger"])
    assert client.get(job.get_absolute_url()).status_code == 404


def test_a_broken_upload_fails_with_the_place_named_and_imports_nothing(
    client, cast, django_capture_on_commit_callbacks
):
    data = json.loads(CASE_FILE.read_text())
    data["CFItems"][4]["identifier"] = data["CFItems"][1]["identifier"]
    client.force_login(cast["designer"])
    upload = SimpleUploadedFile("broken.json", json.dumps(data).encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("curriculum:import-create"),
            {"organization": cast.organization.pk, "format": "case", "file": upload},
        )
    job = FrameworkImport.objects.get()
    assert job.status == FrameworkImport.Status.FAILED
    assert job.error.startswith("CFItems[4].identifier: duplicate identifier")
    page = client.get(job.get_absolute_url())
    assert "Nothing was imported." in page.text
    assert "CFItems[4].identifier" in page.text
    assert not Competency.objects.exists()


def test_a_csv_upload_needs_a_framework_name(client, cast):
    client.force_login(cast["designer"])
    response = client.post(
        reverse("curriculum:import-create"),
        {"organization": cast.organization.pk, "format": "csv",
         "file": SimpleUploadedFile("x.csv", b"statement\nOne\n")},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Name the framework to import into." in response.text
    assert not FrameworkImport.objects.exists()


def test_exports_download_case_and_csv(client, cast, framework):
    client.force_login(cast["designer"])
    response = client.get(reverse("curriculum:framework-case", args=[framework.pk]))
    package = response.json()
    assert package["CFDocument"]["identifier"] == framework.identifier
    assert {i["humanCodingScheme"] for i in package["CFItems"]} == {"D", "D.1"}
    csv_text = client.get(reverse("curriculum:framework-csv", args=[framework.pk]))
    assert "Build a pivot table" in csv_text.content.decode()
    top = framework.competencies.get(code="D")
    resolved = client.get(reverse("curriculum:case-uri", args=[top.identifier]))
    assert resolved.url == f"{framework.get_absolute_url()}#c-{top.pk}"


def test_search_finds_words_and_codes_across_frameworks(client, cast, framework):
    other = framework_services.create_framework(
        cast.other_organization, by=None, name="Elsewhere"
    )
    framework_services.add_competency(
        other, by=None, statement="Build pivot tables for finance", code="F.9"
    )
    client.force_login(cast["designer"])
    search = reverse("curriculum:competency-search")
    found = client.get(search, {"q": "pivot tables", "format": "json"}).json()
    # The other organization's framework is a draft: not visible yet.
    assert [c["code"] for c in found] == ["D.1"]
    framework_services.publish_framework(other, by=None)
    found = client.get(search, {"q": "building pivot", "format": "json"}).json()
    assert {c["code"] for c in found} == {"D.1", "F.9"}  # stems match
    assert [
        c["code"] for c in client.get(search, {"q": "d.1", "format": "json"}).json()
    ] == ["D.1"]
    fragment = client.get(
        search,
        {"q": "nothing like it", "outcome": "x'"},
        headers={"HX-Request": "true"},
    )
    assert "No competency matches" in fragment.text


def test_the_framework_tree_takes_the_same_queries_for_10_or_200_items(
    client, cast, django_assert_max_num_queries
):
    def build(size):
        framework = framework_services.create_framework(
            cast.organization, by=None, name=f"F{size}"
        )
        parent = None
        for n in range(size):
            item = framework_services.add_competency(
                framework, by=None, statement=f"Item {n}", code=f"C{n}",
                parent=parent if n % 3 else None,
            )  # fmt: skip
            parent = item if n % 3 == 0 else parent
        return framework

    small, large = build(10), build(200)
    client.force_login(cast["designer"])
    counts = []
    for framework in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(framework.get_absolute_url())
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(12):
        client.get(large.get_absolute_url())


def test_the_case_service_serves_published_frameworks_only(client, cast, framework):
    documents = reverse("curriculum:case-documents")
    package = reverse("curriculum:case-package", args=[framework.identifier])
    assert client.get(documents).json() == {"CFDocuments": []}
    assert client.get(package).status_code == 404
    framework_services.publish_framework(framework, by=cast["admin"])
    listed = client.get(documents).json()["CFDocuments"]
    assert [d["identifier"] for d in listed] == [framework.identifier]
    served = client.get(package).json()
    assert {i["humanCodingScheme"] for i in served["CFItems"]} == {"D", "D.1"}


def test_a_draft_framework_is_renamed_in_the_browser(client, cast, framework):
    client.force_login(cast["designer"])
    edit = reverse("curriculum:framework-edit", args=[framework.pk])
    response = client.post(edit, {"name": "", "description": "Kept"})
    assert response.status_code == 400
    assert "Kept</textarea>" in response.text
    client.post(edit, {"name": "Data skills 2026", "version": "2026.1"})
    framework.refresh_from_db()
    assert (framework.name, framework.version) == ("Data skills 2026", "2026.1")
    framework_services.publish_framework(framework, by=cast["admin"])
    response = client.post(edit, {"name": "Renamed after publishing"})
    assert "is published and can no longer be edited" in response.text
    framework.refresh_from_db()
    assert framework.name == "Data skills 2026"


def test_the_tree_shows_links_beyond_the_tree(client, cast):
    path = CASE_FILE.parent / "opensalt-what-standards-could-be.json"
    framework = framework_services.import_case_package(
        cast.organization, by=None, raw=path.read_bytes()
    ).framework
    client.force_login(cast["designer"])
    page = client.get(framework.get_absolute_url()).text
    assert page.count("exactMatchOf") == 16
    assert "precedes" in page
