"""CASE packages that do not conform: order without sequence numbers, pre-1.0
drafts, files too deep or holding NUL characters. Every export is checked
against both CASE schemas with their formats (uuid, date, date-time)."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from accounts.models import AuditEntry
from curriculum import case, framework_services, selectors
from curriculum.models import (
    Competency,
    CompetencyAssociation,
    CompetencyFramework,
    FrameworkImport,
)

DATA = Path(__file__).parent.parent / "data"
SCHEMAS = {
    "1.1": "schema-official-case-v1p1-cfpackage.json",
    "1.0": "schema-opensalt-case-v1p0-cfpackage.json",
}
PACKAGES = [
    "opensalt-what-standards-could-be.json",
    "opensalt-test-framework-65items.json",
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def package_json(name: str = "opensalt-test-framework-65items.json") -> dict:
    return json.loads((DATA / "case" / name).read_bytes())


def schema_errors(package: dict, case_version: str) -> list[str]:
    """Errors of the official schema, formats checked (the plain validator
    treats `format` as a note and lets non-UUID identifiers through)."""
    schema = json.loads((DATA / "schemas" / SCHEMAS[case_version]).read_text())
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(package)
    ]


def import_package(cast, package, organization=None):
    return framework_services.import_case_package(
        organization or cast.organization, by=None, raw=json.dumps(package)
    )


# Order -----------------------------------------------------------------------


def test_items_without_sequence_numbers_come_in_the_natural_order_of_their_codes(
    cast,
):
    package = package_json()
    for association in package["CFAssociations"]:
        del association["sequenceNumber"]
    framework = import_package(cast, package).framework
    parent = Competency.objects.get(framework=framework, code="H.A.SCI.CSC.C.CE.L1")
    codes = [
        node.competency.code
        for node in selectors.framework_tree(framework)
        if node.competency.parent_id == parent.pk
    ]
    assert codes[:4] == [
        "H.A.SCI.CSC.C.CE.L1.1",
        "H.A.SCI.CSC.C.CE.L1.2",
        "H.A.SCI.CSC.C.CE.L1.3",
        "H.A.SCI.CSC.C.CE.L1.4",
    ]
    assert codes[-3:] == [
        "H.A.SCI.CSC.C.CE.L1.18",
        "H.A.SCI.CSC.C.CE.L1.19",
        "H.A.SCI.CSC.C.CE.L1.20",
    ]


def test_sequence_numbers_come_first_and_decide_the_order(cast):
    package = package_json()
    items = {i["identifier"]: i for i in package["CFItems"]}
    siblings = [
        a
        for a in package["CFAssociations"]
        if items[a["originNodeURI"]["identifier"]]
        .get("humanCodingScheme", "")
        .startswith("H.A.SCI.CSC.C.CE.L1.")
    ]
    for association in siblings:
        del association["sequenceNumber"]
    last = next(
        a
        for a in siblings
        if items[a["originNodeURI"]["identifier"]]["humanCodingScheme"].endswith(
            ".L1.20"
        )
    )
    last["sequenceNumber"] = 1
    framework = import_package(cast, package).framework
    parent = Competency.objects.get(framework=framework, code="H.A.SCI.CSC.C.CE.L1")
    codes = [c.code for c in parent.children.order_by("position", "pk")]
    assert codes[:3] == [
        "H.A.SCI.CSC.C.CE.L1.20",
        "H.A.SCI.CSC.C.CE.L1.1",
        "H.A.SCI.CSC.C.CE.L1.2",
    ]


# Every export validates --------------------------------------------------------


@pytest.mark.parametrize("name", PACKAGES)
@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_real_packages_export_valid_with_formats_checked(cast, name, case_version):
    framework = import_package(cast, package_json(name)).framework
    exported = selectors.case_package(framework, case_version=case_version)
    assert schema_errors(exported, case_version) == []


def pre_1_0_draft() -> dict:
    """A real package written the way pre-1.0 drafts were: codes and URIs for
    identifiers, `subject` as one string, `CFDocumentURI` as a plain URI, dates
    without a time zone."""
    package = package_json()
    document = package["CFDocument"]
    old_ids = {document["identifier"]: "urn:draft:framework:ordering"}
    for item in package["CFItems"]:
        old_ids[item["identifier"]] = item.get("humanCodingScheme") or item["uri"]
    for n, association in enumerate(package["CFAssociations"]):
        old_ids[association["identifier"]] = f"assoc-{n}"

    def rename(node: dict) -> None:
        node["identifier"] = old_ids.get(node["identifier"], node["identifier"])

    rename(document)
    document["subject"] = "Science"
    document["lastChangeDateTime"] = "2016-03-01 10:00:00"
    document.pop("CFPackageURI")
    for item in package["CFItems"]:
        rename(item)
        item["CFDocumentURI"] = document["uri"]
        item["subject"] = "Science"
    for association in package["CFAssociations"]:
        rename(association)
        association["CFDocumentURI"] = document["uri"]
        rename(association["originNodeURI"])
        rename(association["destinationNodeURI"])
    return package


def test_a_pre_1_0_draft_fails_both_schemas_as_it_is():
    """The premise: such a file is not CASE, and exporting it unchanged fails."""
    package = pre_1_0_draft()
    assert len(schema_errors(package, "1.1")) > 100
    assert len(schema_errors(package, "1.0")) > 100


@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_a_pre_1_0_draft_is_normalised_with_a_warning_for_each_change(
    cast, case_version
):
    package = pre_1_0_draft()
    result = import_package(cast, package)
    framework = result.framework

    exported = selectors.case_package(framework, case_version=case_version)
    assert schema_errors(exported, case_version) == []
    # New UUIDs, recorded against the originals.
    assert UUID.fullmatch(framework.identifier)
    assert framework.case_fields["__original_identifier"] == (
        "urn:draft:framework:ordering"
    )
    item = Competency.objects.get(framework=framework, code="F.1")
    assert UUID.fullmatch(item.identifier)
    assert item.case_fields["__original_identifier"] == "F.1"
    assert item.parent.code == "F"
    link = CompetencyAssociation.objects.get(
        framework=framework, case_fields__contains={"__original_identifier": "assoc-0"}
    )
    assert UUID.fullmatch(link.identifier)
    assert Competency.objects.filter(framework=framework).count() == 65
    # Each change is a warning naming its place.
    text = "\n".join(result.warnings)
    assert "CFDocument.identifier: 'urn:draft:framework:ordering' is not a UUID" in text
    assert "CFItems[1].identifier: 'F.1' is not a UUID, as CASE requires; " in text
    assert "CFAssociations[0].identifier: 'assoc-0' is not a UUID" in text
    assert "CFDocument.subject: a single text where CASE wants a list" in text
    assert "CFItems[0].subject: a single text where CASE wants a list" in text
    assert "CFItems[0].CFDocumentURI: a bare URI where CASE wants a link" in text
    assert "CFAssociations[0].CFDocumentURI: a bare URI" in text
    assert (
        "CFDocument.lastChangeDateTime: '2016-03-01 10:00:00' written as "
        "'2016-03-01T10:00:00+00:00'" in text
    )
    assert len(result.warnings) >= 65 * 2 * 2 + 1


def test_the_same_draft_gets_the_same_uuids_in_every_import(cast):
    first = import_package(cast, pre_1_0_draft()).framework
    second = import_package(cast, pre_1_0_draft(), cast.other_organization).framework
    assert first.identifier == second.identifier
    assert set(first.competencies.values_list("identifier", flat=True)) == set(
        second.competencies.values_list("identifier", flat=True)
    )


def _bad_date(p):
    p["CFItems"][4]["statusStartDate"] = "next spring"


def _bad_subject(p):
    p["CFItems"][2]["subject"] = {"title": "Science"}


def _bad_link(p):
    p["CFItems"][3]["licenseURI"] = 42


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            _bad_date,
            "CFItems[4].statusStartDate: 'next spring' is not a date (ISO 8601)",
        ),
        (_bad_subject, "CFItems[2].subject: expected a list of texts"),
        (_bad_link, "CFItems[3].licenseURI: expected a link object, found a number"),
    ],
)
def test_what_cannot_be_normalised_is_refused_naming_the_place(cast, mutate, message):
    package = package_json()
    mutate(package)
    with pytest.raises(case.CaseError) as error:
        import_package(cast, package)
    assert message in str(error.value)
    assert not CompetencyFramework.objects.exists()


# Files that would break the reader ----------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (DEEP, "nests lists or objects more than 32 levels deep"),
        (
            json.dumps(
                {**package_json(), "extensions": json.loads("[" * 40 + "]" * 40)}
            ).encode(),
            "extensions" + "[0]" * 31 + ": the file nests lists or objects",
        ),
        (
            json.dumps(package_json())
            .replace('"Final round"', '"Final\\u0000round"')
            .encode(),
            "CFItems[0].fullStatement: contains a NUL character",
        ),
        (b'{"CFDocument": {"title": "a\x00b"}}', "line 1, column 28"),
    ],
)
def test_too_deep_or_nul_is_a_clear_error_and_changes_nothing(cast, raw, message):
    with pytest.raises(case.CaseError) as error:
        framework_services.import_case_package(cast.organization, by=None, raw=raw)
    assert message in str(error.value)
    assert not CompetencyFramework.objects.exists()


def test_a_deep_file_uploaded_in_the_browser_fails_its_job_clearly(
    cast, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast["designer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/curriculum/imports/new/",
            {
                "organization": cast.organization.pk,
                "format": "case",
                "file": SimpleUploadedFile("deep.json", DEEP),
            },
        )
    assert response.status_code == 302
    job = FrameworkImport.objects.get()
    assert job.status == FrameworkImport.Status.FAILED
    assert "more than 32 levels deep" in job.error
    assert not CompetencyFramework.objects.exists()


def test_a_deep_package_sent_to_the_api_is_a_400(cast, client):
    client.force_login(cast["designer"])
    body = b'{"organization": "%s", "package": ' % cast.organization.slug.encode()
    response = client.post(
        "/api/frameworks/import-case/",
        body + DEEP + b"}",
        content_type="application/json",
    )
    assert response.status_code == 400
    # Refused at the door (accounts/middleware.py) before the CASE reader.
    assert "levels deep" in response.content.decode()
    assert not CompetencyFramework.objects.exists()
    assert not AuditEntry.objects.filter(action="framework.imported").exists()


@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_rubrics_and_newer_association_types_export_valid_in_both_versions(
    cast, case_version
):
    package = package_json()
    item = package["CFItems"][1]
    for n, kind in enumerate(["ext:hasPrerequisite", "isTranslationOf"]):
        link = json.loads(json.dumps(package["CFAssociations"][1]))
        link.update(
            identifier=f"00000000-0000-4000-8000-00000000000{n}", associationType=kind
        )
        package["CFAssociations"].append(link)
    package["CFRubrics"] = [
        {
            "identifier": "r1",
            "uri": "https://x.example/r1",
            "title": "Rubric",
            "lastChangeDateTime": "2020-01-01T00:00:00Z",
            "CFRubricCriteria": [
                {
                    "identifier": "r1-c1",
                    "uri": "https://x.example/r1/c1",
                    "rubricId": "r1",
                    "CFItemURI": {
                        "title": "F.1",
                        "identifier": item["identifier"],
                        "uri": item["uri"],
                    },
                    "lastChangeDateTime": "2020-01-01 00:00:00",
                    "CFRubricCriterionLevels": [
                        {
                            "identifier": "r1-c1-l1",
                            "uri": "https://x.example/r1/c1/l1",
                            "rubricCriterionId": "r1-c1",
                            "lastChangeDateTime": "2020-01-01T00:00:00Z",
                        }
                    ],
                }
            ],
        }
    ]
    result = import_package(cast, package)
    exported = selectors.case_package(result.framework, case_version=case_version)
    assert schema_errors(exported, case_version) == []
    types = {a["associationType"] for a in exported["CFAssociations"]}
    if case_version == "1.1":
        assert {"ext:hasPrerequisite", "isTranslationOf"} <= types
    else:  # CASE 1.0 has no such types: a 1.0 export leaves them out
        assert types == {"isChildOf"}
    criterion = exported["CFRubrics"][0]["CFRubricCriteria"][0]
    assert criterion["rubricId"] == exported["CFRubrics"][0]["identifier"]
    assert (
        criterion["CFRubricCriterionLevels"][0]["rubricCriterionId"]
        == (criterion["identifier"])
    )
    assert "CFRubrics[0].identifier: 'r1' is not a UUID" in "\n".join(result.warnings)
