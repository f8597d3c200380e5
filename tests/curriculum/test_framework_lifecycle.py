"""A framework replaced by a newer version of its CASE document, after a preview,
and a framework nothing uses deleted: services, pages and the audit trail."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEntry
from curriculum import case, framework_services, selectors
from curriculum import services as curriculum
from curriculum.models import Competency, CompetencyAssociation, CompetencyFramework
from tests.curriculum.test_case_conformance import (
    package_json,
    pre_1_0_draft,
    schema_errors,
)


def structure(package: dict) -> dict:
    return {
        "items": {
            i["identifier"]: (i["fullStatement"], i.get("humanCodingScheme", ""))
            for i in package["CFItems"]
        },
        "associations": {
            a["identifier"]: (
                a["associationType"],
                a["originNodeURI"]["identifier"],
                a["destinationNodeURI"]["identifier"],
            )
            for a in package["CFAssociations"]
        },
        "version": package["CFDocument"].get("version", ""),
    }


def newer(package: dict) -> dict:
    """The next version of the 65-item document: one statement reworded, one leaf
    removed, one item added under F, one item moved, a version number."""
    package = copy.deepcopy(package)
    by_code = {i.get("humanCodingScheme"): i for i in package["CFItems"]}
    by_code["F.1"]["fullStatement"] = "1 Semi round, reworded"
    removed = by_code["F.2.3"]["identifier"]
    package["CFItems"] = [i for i in package["CFItems"] if i["identifier"] != removed]
    package["CFAssociations"] = [
        a
        for a in package["CFAssociations"]
        if removed
        not in (a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"])
    ]
    added = dict(
        by_code["F.1"],
        identifier="0b9c5f0e-1d5c-4a39-9a53-5b8e3c0c7a01",
        uri="https://example.org/case/new-item",
        humanCodingScheme="F.3",
        fullStatement="A new item in version 2",
    )
    package["CFItems"].append(added)
    link = copy.deepcopy(package["CFAssociations"][0])
    link["identifier"] = "0b9c5f0e-1d5c-4a39-9a53-5b8e3c0c7a02"
    link["uri"] = "https://example.org/case/new-link"
    link["originNodeURI"]["identifier"] = added["identifier"]
    link["destinationNodeURI"]["identifier"] = by_code["F"]["identifier"]
    link["sequenceNumber"] = 3
    package["CFAssociations"].append(link)
    moved = next(
        a
        for a in package["CFAssociations"]
        if a["originNodeURI"]["identifier"] == by_code["F.2.2"]["identifier"]
        and a["associationType"] == "isChildOf"
    )
    moved["destinationNodeURI"]["identifier"] = by_code["F.1"]["identifier"]
    package["CFDocument"]["version"] = "2.0"
    return package


@pytest.fixture
def imported(cast):
    return framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(package_json())
    ).framework


def align(cast, competency: Competency):
    version = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code="CASE1", title="Case module"
    )
    return curriculum.add_outcome(
        version, by=cast["designer"], statement="Sort shapes", competencies=[competency]
    )


def test_the_preview_lists_what_changes_and_changes_nothing(cast, imported):
    before = selectors.case_package(imported)
    plan = framework_services.plan_case_update(
        imported, json.dumps(newer(package_json()))
    )
    update = plan.update
    assert [i.code for i in update.added] == ["F.3"]
    assert [i.code for i in update.removed] == ["F.2.3"]
    changes = {c.item.code: c.changes for c in update.changed}
    assert changes["F.1"] == [
        case.changes.Change("Statement", "1 Semi round", "1 Semi round, reworded")
    ]
    [place] = changes["F.2.2"]
    assert (place.field, place.new) == ("Place in the tree", "F.1")
    assert case.changes.Change("Version", "", "2.0") in update.document
    assert len(update.associations_added) == 1
    assert len(update.associations_removed) == 1
    assert len(update.associations_changed) == 1
    assert not plan.blocked
    imported.refresh_from_db()
    assert selectors.case_package(imported) == before


def test_applying_the_update_keeps_what_stays_and_is_audited(cast, imported):
    kept = Competency.objects.get(framework=imported, code="F.1")
    outcome = align(cast, kept)
    raw = json.dumps(newer(package_json()))
    digest = framework_services.plan_case_update(imported, raw).update.digest()

    framework_services.apply_case_update(
        imported, by=cast["designer"], raw=raw, digest=digest
    )

    imported.refresh_from_db()
    exported = selectors.case_package(imported)
    assert structure(exported) == structure(newer(package_json()))
    assert schema_errors(exported, "1.1") == []
    kept.refresh_from_db()
    assert kept.statement == "1 Semi round, reworded"
    assert list(outcome.competencies.all()) == [kept]  # the same row, still aligned
    assert Competency.objects.get(framework=imported, code="F.2.2").parent.code == (
        "F.1"
    )
    assert Competency.objects.get(framework=imported, code="F.3").parent.code == "F"
    assert not Competency.objects.filter(framework=imported, code="F.2.3").exists()
    entry = AuditEntry.objects.get(action="framework.updated_from_case")
    assert entry.actor == cast["designer"]
    assert (entry.data["added"], entry.data["removed"], entry.data["changed"]) == (
        1,
        1,
        2,
    )
    # Nothing left to change: a second preview is empty.
    assert framework_services.plan_case_update(imported, raw).update.is_empty


def test_a_pre_1_0_draft_updates_the_framework_it_was_imported_as(cast):
    framework = framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(pre_1_0_draft())
    ).framework
    later = pre_1_0_draft()
    later["CFItems"][1]["fullStatement"] = "Reworded"
    plan = framework_services.plan_case_update(framework, json.dumps(later))
    assert [c.item.code for c in plan.update.changed] == ["F.1"]
    assert not plan.update.added
    assert not plan.update.removed


def test_removing_an_aligned_competency_is_refused_and_changes_nothing(cast, imported):
    align(cast, Competency.objects.get(framework=imported, code="F.2.3"))
    raw = json.dumps(newer(package_json()))
    plan = framework_services.plan_case_update(imported, raw)
    assert plan.blocked == [
        "“F.2.3” is not in the new version, but outcomes of CASE1 v1 are aligned "
        "to it; align those outcomes to another competency first."
    ]
    with pytest.raises(ValidationError, match="F.2.3"):
        framework_services.apply_case_update(
            imported, by=None, raw=raw, digest=plan.update.digest()
        )
    assert Competency.objects.filter(framework=imported, code="F.2.3").exists()
    assert Competency.objects.get(framework=imported, code="F.1").statement == (
        "1 Semi round"
    )


def test_an_update_whose_changes_differ_from_its_preview_is_refused(cast, imported):
    raw = json.dumps(newer(package_json()))
    digest = framework_services.plan_case_update(imported, raw).update.digest()
    framework_services.update_framework(imported, by=cast["designer"], version="1.5")
    with pytest.raises(ValidationError, match="changed since this preview"):
        framework_services.apply_case_update(imported, by=None, raw=raw, digest=digest)
    assert Competency.objects.filter(framework=imported, code="F.2.3").exists()


def test_a_package_of_another_document_is_refused(cast, imported):
    other = package_json("opensalt-what-standards-could-be.json")
    with pytest.raises(case.CaseError, match="CFDocument.identifier: this package is"):
        framework_services.plan_case_update(imported, json.dumps(other))


# Deleting ---------------------------------------------------------------------


def test_a_framework_nothing_uses_is_deleted_and_audited(cast, imported):
    framework_services.delete_framework(imported, by=cast["designer"])
    assert not CompetencyFramework.objects.exists()
    assert not Competency.objects.exists()
    assert not CompetencyAssociation.objects.exists()
    entry = AuditEntry.objects.get(action="framework.deleted")
    assert entry.data["name"] == "ordering"
    assert entry.data["items"] == 65
    # The same package can now be imported again.
    framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(package_json())
    )


def test_a_framework_in_use_is_not_deleted_and_says_why(cast, imported):
    align(cast, Competency.objects.get(framework=imported, code="F.1"))
    with pytest.raises(ValidationError) as error:
        framework_services.delete_framework(imported, by=cast["designer"])
    assert error.value.messages == [
        "Outcomes of 1 module version (CASE1 v1) are aligned to its competencies; "
        "remove those alignments first."
    ]
    assert Competency.objects.filter(framework=imported).count() == 65
    assert not AuditEntry.objects.filter(action="framework.deleted").exists()


# Pages ------------------------------------------------------------------------


def upload(package: dict) -> SimpleUploadedFile:
    return SimpleUploadedFile("v2.json", json.dumps(package).encode())


def test_the_update_is_previewed_in_the_browser_then_applied(client, cast, imported):
    client.force_login(cast["designer"])
    url = reverse("curriculum:framework-case-update", args=[imported.pk])
    assert client.get(url).status_code == 200
    preview = client.post(url, {"file": upload(newer(package_json()))})
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "1 Semi round, reworded" in page
    assert "F.2.3" in page
    assert "A new item in version 2" in page
    assert Competency.objects.filter(framework=imported, code="F.2.3").exists()

    confirm = client.post(
        reverse("curriculum:framework-case-update-apply", args=[imported.pk]),
        {"token": preview.context["token"], "digest": preview.context["digest"]},
    )
    assert confirm.status_code == 302
    assert not Competency.objects.filter(framework=imported, code="F.2.3").exists()
    assert AuditEntry.objects.filter(action="framework.updated_from_case").exists()


def test_a_broken_update_upload_says_where_and_changes_nothing(client, cast, imported):
    client.force_login(cast["designer"])
    url = reverse("curriculum:framework-case-update", args=[imported.pk])
    response = client.post(url, {"file": SimpleUploadedFile("x.json", b"[" * 9000)})
    assert response.status_code == 400
    assert "levels deep" in response.content.decode()
    response = client.post(
        reverse("curriculum:framework-case-update-apply", args=[imported.pk]),
        {"token": "nope", "digest": "x"},
    )
    assert response.status_code == 400
    assert "upload the file again" in response.content.decode()
    assert Competency.objects.filter(framework=imported).count() == 65


def test_deleting_asks_first_and_refuses_what_is_used(client, cast, imported):
    client.force_login(cast["designer"])
    url = reverse("curriculum:framework-delete", args=[imported.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "65 competencies" in page.content.decode()
    align(cast, Competency.objects.get(framework=imported, code="F.1"))
    refused = client.get(url).content.decode()
    assert "CASE1 v1" in refused
    assert client.post(url).status_code == 302
    assert CompetencyFramework.objects.filter(pk=imported.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("designer", 302), ("admin", 302), ("reviewer", 403), ("stranger", 404)],
)
def test_who_may_delete_a_draft(client, cast, imported, role, status):
    client.force_login(cast[role])
    url = reverse("curriculum:framework-delete", args=[imported.pk])
    assert client.post(url).status_code == status
    assert CompetencyFramework.objects.filter(pk=imported.pk).exists() == (
        status != 302
    )


@pytest.mark.parametrize(("role", "status"), [("designer", 403), ("admin", 200)])
def test_only_an_admin_updates_or_deletes_a_published_framework(
    client, cast, imported, role, status
):
    framework_services.publish_framework(imported, by=cast["admin"])
    client.force_login(cast[role])
    for name in ("curriculum:framework-case-update", "curriculum:framework-delete"):
        assert client.get(reverse(name, args=[imported.pk])).status_code == status


def test_the_api_deletes_an_unused_framework_and_says_why_it_will_not(
    client, cast, imported
):
    client.force_login(cast["designer"])
    url = f"/api/frameworks/{imported.pk}/"
    align(cast, Competency.objects.get(framework=imported, code="F.1"))
    refused = client.delete(url)
    assert refused.status_code == 400
    assert "CASE1 v1" in refused.content.decode()
    Competency.objects.get(framework=imported, code="F.1").outcomes.clear()
    assert client.delete(url).status_code == 204
    assert not CompetencyFramework.objects.filter(pk=imported.pk).exists()
    assert AuditEntry.objects.filter(action="framework.deleted").exists()
