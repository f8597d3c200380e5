"""CASE packages in and out: real packages, round trips, schemas, broken files."""

import copy
import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEntry
from curriculum import case, framework_services, selectors
from curriculum.models import Competency, CompetencyAssociation, CompetencyFramework

DATA = Path(__file__).parent.parent / "data"
PACKAGES = [
    "opensalt-what-standards-could-be.json",
    "opensalt-test-framework-65items.json",
]
SCHEMAS = {
    "1.1": "schema-official-case-v1p1-cfpackage.json",
    "1.0": "schema-opensalt-case-v1p0-cfpackage.json",
}


def package_bytes(name: str) -> bytes:
    return (DATA / "case" / name).read_bytes()


def package_json(name: str) -> dict:
    return json.loads(package_bytes(name))


def schema_errors(package: dict, case_version: str) -> list[str]:
    schema = json.loads((DATA / "schemas" / SCHEMAS[case_version]).read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(package)
    ]


def link_id(link) -> str:
    return link if isinstance(link, str) else link["identifier"]


def structure(package: dict) -> dict:
    """What must survive a round trip, in comparable form."""
    items = {
        i["identifier"]: (
            i["uri"],
            i["fullStatement"],
            i.get("humanCodingScheme", ""),
            i.get("CFItemType", ""),
            i.get("abbreviatedStatement", ""),
        )
        for i in package["CFItems"]
    }
    associations = {
        a["identifier"]: (
            a["uri"],
            a["associationType"],
            link_id(a["originNodeURI"]),
            link_id(a["destinationNodeURI"]),
            a["destinationNodeURI"].get("uri")
            if isinstance(a["destinationNodeURI"], dict)
            else a["destinationNodeURI"],
            int(a["sequenceNumber"])
            if a.get("sequenceNumber") not in (None, "")
            else None,
        )
        for a in package["CFAssociations"]
    }
    document = package["CFDocument"]
    return {
        "document": (document["identifier"], document["uri"], document["title"]),
        "items": items,
        "associations": associations,
    }


@pytest.mark.parametrize("name", PACKAGES)
def test_real_packages_are_valid_case_1_0_or_read_with_warnings(name):
    parsed = case.parse_package(package_bytes(name))
    source = package_json(name)
    assert len(parsed.items) == len(source["CFItems"])
    assert len(parsed.associations) == len(source["CFAssociations"])


@pytest.mark.parametrize("name", PACKAGES)
@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_a_real_package_round_trips_and_its_export_passes_the_schema(
    cast, name, case_version
):
    result = framework_services.import_case_package(
        cast.organization, by=cast["designer"], raw=package_bytes(name)
    )
    exported = selectors.case_package(result.framework, case_version=case_version)

    assert structure(exported) == structure(package_json(name))
    assert schema_errors(exported, case_version) == []
    # Exporting what was exported gives the same package again.
    again = framework_services.import_case_package(
        cast.other_organization, by=None, raw=json.dumps(exported)
    )
    assert (
        selectors.case_package(again.framework, case_version=case_version)["CFItems"]
        == exported["CFItems"]
    )


def test_a_case_1_0_export_keeps_what_the_package_carried_beyond_the_spec(cast):
    name = "opensalt-what-standards-could-be.json"
    result = framework_services.import_case_package(
        cast.organization, by=None, raw=package_bytes(name)
    )
    exported = selectors.case_package(result.framework, case_version="1.0")
    source = package_json(name)
    assert (
        exported["CFDocument"]["CFPackageURI"] == source["CFDocument"]["CFPackageURI"]
    )
    first = next(
        i
        for i in exported["CFItems"]
        if i["identifier"] == source["CFItems"][0]["identifier"]
    )
    assert first["CFItemAssociationURI"] == source["CFItems"][0]["CFItemAssociationURI"]
    assert first["educationalLevel"] == source["CFItems"][0]["educationalLevel"]
    types = exported["CFDefinitions"]["CFItemTypes"]
    assert [t["identifier"] for t in types] == [
        t["identifier"] for t in source["CFDefinitions"]["CFItemTypes"]
    ]
    assert {t["description"] for t in types} == {""}  # null in the source


def test_the_tree_and_other_associations_are_stored(cast):
    name = "opensalt-what-standards-could-be.json"
    result = framework_services.import_case_package(
        cast.organization, by=cast["designer"], raw=package_bytes(name)
    )
    framework = result.framework
    source = package_json(name)
    assert framework.identifier == source["CFDocument"]["identifier"]
    assert framework.uri == source["CFDocument"]["uri"]
    child_links = [
        a for a in source["CFAssociations"] if a["associationType"] == "isChildOf"
    ]
    for link in child_links:
        child = Competency.objects.get(identifier=link["originNodeURI"]["identifier"])
        parent_id = link["destinationNodeURI"]["identifier"]
        if parent_id == framework.identifier:
            assert child.parent is None
        else:
            assert child.parent.identifier == parent_id
            assert child.depth == child.parent.depth + 1
    exact = CompetencyAssociation.objects.filter(
        framework=framework, association_type="exactMatchOf"
    )
    assert exact.count() == 16
    assert all(a.destination is None and a.destination_uri for a in exact)
    ratio = Competency.objects.get(identifier="edfce0e7-dbbf-40d5-af1a-baccabef85e9")
    assert ratio.education_levels == ["06"]
    assert ratio.competency_type == "Cluster"
    entry = AuditEntry.objects.get(action="framework.imported")
    assert entry.data["items"] == 16


def test_what_the_spec_does_not_allow_is_reported_as_warnings(cast):
    result = framework_services.import_case_package(
        cast.organization,
        by=None,
        raw=package_bytes("opensalt-what-standards-could-be.json"),
    )
    text = "\n".join(result.warnings)
    assert ".sequenceNumber: the number is written as text ('1')" in text
    assert ".educationalLevel: read as educationLevel" in text
    assert "CFDefinitions.CFItemTypes[0]: description missing or null" in text


def dirty_package() -> dict:
    """A real package made dirtier the ways real ones are: Unicode beyond the
    BMP, Markdown in statements, missing optional fields, string sequence numbers."""
    package = package_json("opensalt-test-framework-65items.json")
    item = package["CFItems"][0]
    item["fullStatement"] = "**Count** to 𝟙𝟘 and explain 🧮 `carry` — _über_ 数"
    item.pop("abbreviatedStatement", None)
    item.pop("notes", None)
    item.pop("language", None)
    package["CFAssociations"][0]["sequenceNumber"] = "7"
    return package


def test_unicode_beyond_the_bmp_and_markdown_survive_a_round_trip(cast):
    package = dirty_package()
    result = framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(package, ensure_ascii=False).encode()
    )
    exported = selectors.case_package(result.framework, case_version="1.1")
    assert schema_errors(exported, "1.1") == []
    statement = next(
        i["fullStatement"]
        for i in exported["CFItems"]
        if i["identifier"] == package["CFItems"][0]["identifier"]
    )
    assert statement == package["CFItems"][0]["fullStatement"]
    link = next(
        a
        for a in exported["CFAssociations"]
        if a["identifier"] == package["CFAssociations"][0]["identifier"]
    )
    assert link["sequenceNumber"] == 7
    assert any("('7')" in w for w in result.warnings)


def broken(mutate) -> bytes:
    package = package_json("opensalt-test-framework-65items.json")
    mutate(package)
    return json.dumps(package).encode()


def _drop_statement(p):
    del p["CFItems"][3]["fullStatement"]


def _unknown_origin(p):
    p["CFAssociations"][5]["originNodeURI"]["identifier"] = "no-such-item"


def _unknown_parent(p):
    p["CFAssociations"][6]["destinationNodeURI"]["identifier"] = "no-such-parent"


def _duplicate_item(p):
    p["CFItems"][9]["identifier"] = p["CFItems"][2]["identifier"]


def _duplicate_association(p):
    p["CFAssociations"][4]["identifier"] = p["CFAssociations"][1]["identifier"]


def _bad_type(p):
    p["CFAssociations"][2]["associationType"] = "isCousinOf"


def _no_document(p):
    del p["CFDocument"]


def _cycle(p):
    a, b = p["CFItems"][0], p["CFItems"][1]
    links = [
        x
        for x in p["CFAssociations"]
        if x["originNodeURI"]["identifier"] in (a["identifier"], b["identifier"])
    ]
    links[0]["destinationNodeURI"]["identifier"] = links[1]["originNodeURI"][
        "identifier"
    ]
    links[1]["destinationNodeURI"]["identifier"] = links[0]["originNodeURI"][
        "identifier"
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b'{"CFDocument": {"identifier": "x",\n  "title": }}',
            "line 2, column 12: the file is not valid JSON",
        ),
        (b"\xff\xfe not text", "the file is not UTF-8 text"),
        (b"[1, 2]", "a CASE package is a JSON object, found a list"),
        (broken(_no_document), "CFDocument: this required object is missing"),
        (
            broken(_drop_statement),
            "CFItems[3].fullStatement: this required field is missing",
        ),
        (
            broken(_unknown_origin),
            "CFAssociations[5].originNodeURI: points to 'no-such-item'",
        ),
        (
            broken(_unknown_parent),
            "CFAssociations[6].destinationNodeURI: points to 'no-such-parent'",
        ),
        (broken(_duplicate_item), "CFItems[9].identifier: duplicate identifier"),
        (
            broken(_duplicate_association),
            "CFAssociations[4].identifier: duplicate identifier",
        ),
        (
            broken(_bad_type),
            "CFAssociations[2].associationType: unknown association type 'isCousinOf'",
        ),
        (broken(_cycle), "go round in a circle"),
    ],
)
def test_a_broken_package_names_the_place_and_imports_nothing(cast, raw, message):
    with pytest.raises(case.CaseError) as error:
        framework_services.import_case_package(cast.organization, by=None, raw=raw)
    assert message in str(error.value)
    assert not CompetencyFramework.objects.exists()
    assert not Competency.objects.exists()
    assert not AuditEntry.objects.filter(action="framework.imported").exists()


def test_the_same_package_twice_in_one_organization_is_refused(cast):
    raw = package_bytes("opensalt-test-framework-65items.json")
    framework_services.import_case_package(cast.organization, by=None, raw=raw)
    with pytest.raises(
        case.CaseError,
        match="CFDocument.identifier: this framework is already imported",
    ):
        framework_services.import_case_package(cast.organization, by=None, raw=raw)
    assert Competency.objects.count() == 65


def test_a_database_failure_half_way_leaves_nothing(cast, monkeypatch):
    """The import is one transaction: a failure while writing associations undoes
    the framework and items written before it."""

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CompetencyAssociation.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        framework_services.import_case_package(
            cast.organization, by=None, raw=package_bytes(PACKAGES[1])
        )
    assert not CompetencyFramework.objects.exists()
    assert not Competency.objects.exists()


def test_import_and_export_commands_round_trip(cast, tmp_path):
    source = DATA / "case" / PACKAGES[0]
    out = StringIO()
    call_command(
        "import_case",
        str(source),
        org=cast.organization.slug,
        stdout=out,
        stderr=StringIO(),
    )
    assert "16 items, 39 associations" in out.getvalue()
    framework = CompetencyFramework.objects.get()
    target = tmp_path / "out.json"
    call_command("export_case", str(framework.pk), out=str(target), stderr=StringIO())
    exported = json.loads(target.read_text())
    assert structure(exported) == structure(package_json(PACKAGES[0]))
    assert schema_errors(exported, "1.1") == []


def test_the_import_command_gives_the_same_clear_error_and_fails(cast, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(broken(_unknown_origin))
    with pytest.raises(CommandError) as error:
        call_command("import_case", str(bad), org=cast.organization.slug)
    assert "CFAssociations[5].originNodeURI: points to 'no-such-item'" in str(
        error.value
    )
    assert "nothing was imported" in str(error.value)
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        call_command("import_case", str(bad), org="nope")
    with pytest.raises(CommandError, match="No competency framework with the id"):
        call_command("export_case", "999999999")
    assert not Competency.objects.exists()


def test_an_authored_framework_exports_as_valid_case(cast):
    framework = framework_services.create_framework(
        cast.organization, by=cast["designer"], name="Data skills"
    )
    top = framework_services.add_competency(
        framework, by=cast["designer"], statement="Work with data", code="D"
    )
    framework_services.add_competency(
        framework,
        by=cast["designer"],
        statement="Build a pivot table",
        code="D.1",
        parent=top,
        education_levels=["EQF 4"],
    )
    package = selectors.case_package(framework)
    assert schema_errors(package, "1.1") == []
    links = {
        a["originNodeURI"]["title"]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
    }
    assert links == {"D": framework.identifier, "D.1": top.identifier}
    # An authored package imports elsewhere into the same tree.
    copy_of = framework_services.import_case_package(
        cast.other_organization, by=None, raw=json.dumps(copy.deepcopy(package))
    ).framework
    child = copy_of.competencies.get(code="D.1")
    assert child.parent.code == "D"
    assert child.education_levels == ["EQF 4"]


def generated_package(items: int) -> dict:
    """A package of `items` items, four levels deep, all in isChildOf links."""
    package = package_json("opensalt-test-framework-65items.json")
    document = package["CFDocument"]
    template_item = package["CFItems"][0]
    template_link = package["CFAssociations"][0]
    package["CFItems"], package["CFAssociations"] = [], []
    for n in range(items):
        item = dict(template_item, identifier=f"item-{n}", uri=f"https://x.example/{n}")
        item["humanCodingScheme"] = f"G.{n}"
        parent = f"item-{n - 1}" if n % 4 else document["identifier"]
        link = copy.deepcopy(template_link)
        link.update(
            identifier=f"link-{n}", uri=f"https://x.example/l/{n}", sequenceNumber=n
        )
        link["originNodeURI"]["identifier"] = item["identifier"]
        link["destinationNodeURI"]["identifier"] = parent
        package["CFItems"].append(item)
        package["CFAssociations"].append(link)
    return package


@pytest.mark.parametrize("items", [40, 400])
def test_an_import_takes_a_few_statements_whatever_its_size(
    cast, items, django_assert_max_num_queries
):
    raw = json.dumps(generated_package(items))
    reported = []
    with django_assert_max_num_queries(14):
        result = framework_services.import_case_package(
            cast.organization,
            by=None,
            raw=raw,
            progress=lambda d, t: reported.append((d, t)),
        )
    assert result.framework.competencies.filter(depth=3).count() == items // 4
    assert reported[-1] == (2 * items, 2 * items)


def test_extension_associations_and_rubrics_are_kept(cast):
    package = package_json("opensalt-test-framework-65items.json")
    link = copy.deepcopy(package["CFAssociations"][1])
    link.update(identifier="ext-link", associationType="ext:hasPrerequisite")
    package["CFAssociations"].append(link)
    package["CFRubrics"] = [
        {
            "identifier": "r1",
            "uri": "https://x.example/r1",
            "lastChangeDateTime": "2020-01-01T00:00:00Z",
        }
    ]
    result = framework_services.import_case_package(
        cast.organization, by=None, raw=json.dumps(package)
    )
    exported = selectors.case_package(result.framework)
    assert schema_errors(exported, "1.1") == []
    assert {a["associationType"] for a in exported["CFAssociations"]} == {
        "isChildOf",
        "ext:hasPrerequisite",
    }
    # A rubric keeps its content; "r1" is no UUID, so it is given one.
    assert exported["CFRubrics"][0]["uri"] == "https://x.example/r1"
    assert exported["CFRubrics"][0]["identifier"] != "r1"
    assert "CFRubrics: kept for export, not shown in Cairn" in result.warnings
