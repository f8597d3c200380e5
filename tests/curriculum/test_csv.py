"""Competencies in and out as CSV: documented columns, ESCO extracts, bad files."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curriculum import framework_services, selectors
from curriculum.framework_services import CsvError
from curriculum.models import Competency, CompetencyFramework

ESCO = (
    Path(__file__).parent.parent
    / "data"
    / "skills"
    / "esco-transversalSkillsCollection_en.csv"
)

SHEET = """code,statement,type,parent,education_levels
D,Work with data,Domain,,
D.1,Build a pivot table that answers a question,Skill,D,EQF 4; EQF 5
D.2,Chart a result honestly,Skill,D,
D.2.1,"Label axes, units and sources",Skill,D.2,
"""


def test_a_spreadsheet_imports_as_a_tree_and_exports_back(cast):
    result = framework_services.import_competencies_csv(
        cast.organization,
        by=cast["designer"],
        raw=SHEET.encode(),
        framework_name="Data",
    )
    framework = result.framework
    assert [
        (n.competency.code, n.depth) for n in selectors.framework_tree(framework)
    ] == [
        ("D", 0),
        ("D.1", 1),
        ("D.2", 1),
        ("D.2.1", 2),
    ]
    assert Competency.objects.get(code="D.1").education_levels == ["EQF 4", "EQF 5"]

    exported = selectors.competencies_csv(framework)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert list(rows[0]) == framework_services.CSV_COLUMNS
    by_code = {row["code"]: row for row in rows}
    assert by_code["D.2.1"]["parent"] == by_code["D.2"]["identifier"]
    assert by_code["D.1"]["education_levels"] == "EQF 4; EQF 5"

    # The export imports into another organization as the same tree.
    again = framework_services.import_competencies_csv(
        cast.other_organization, by=None, raw=exported, framework_name="Data"
    ).framework
    assert [
        (n.competency.identifier, n.depth) for n in selectors.framework_tree(again)
    ] == [
        (n.competency.identifier, n.depth) for n in selectors.framework_tree(framework)
    ]


def test_an_esco_extract_imports_with_its_uris_and_broader_concepts(cast):
    result = framework_services.import_competencies_csv(
        cast.organization,
        by=None,
        raw=ESCO.read_bytes(),
        framework_name="ESCO transversal",
    )
    framework = result.framework
    assert framework.competencies.count() == 107
    advice = framework.competencies.get(statement="give advice to others")
    assert (
        advice.uri
        == "http://data.europa.eu/esco/skill/045f71e6-0699-4169-8a54-9c6b96f3174d"
    )
    assert advice.competency_type == "skill/competence"
    assert advice.notes == "Offer suggestions about the best course of action."
    # 22 rows name a broader concept that is itself in the file.
    assert framework.competencies.filter(parent__isnull=False).count() == 22
    assert any("'altLabels'" in w for w in result.warnings)


def test_rows_add_to_an_existing_draft_framework_under_existing_parents(cast):
    framework_services.import_competencies_csv(
        cast.organization, by=None, raw=SHEET, framework_name="Data"
    )
    more = "code,statement,parent\nD.3,Clean a messy table,D\n"
    framework = framework_services.import_competencies_csv(
        cast.organization, by=None, raw=more, framework_name="Data"
    ).framework
    assert CompetencyFramework.objects.count() == 1
    assert framework.competencies.get(code="D.3").parent.code == "D"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "row 1: the file is empty"),
        ("code,label\nA,x\n", "row 1: no statement column"),
        ("code,statement\n", "row 2: the file has headings but no competencies"),
        ("code,statement\nA,\n", "row 2, column statement: empty"),
        (
            "code,statement,parent\nA,One,\nB,Two,Z\n",
            "row 3, column parent: 'Z' is no identifier",
        ),
        (
            "identifier,statement\nx1,One\nx1,Two\n",
            "row 3, column identifier: duplicate of row 2",
        ),
        ("code,statement,parent\nA,One,B\nB,Two,A\n", "go round in a circle"),
        ("statement,uri\nOne,not a uri\n", "row 2, column uri: Enter a valid URL."),
        ("code,statement\nA,One,extra\n", "row 2: more cells than headings"),
        (b"statement\n\xff\n", "the file is not UTF-8 text"),
    ],
)
def test_a_bad_csv_names_row_and_column_and_imports_nothing(cast, raw, message):
    with pytest.raises(CsvError) as error:
        framework_services.import_competencies_csv(
            cast.organization, by=None, raw=raw, framework_name="Data"
        )
    assert message in str(error.value)
    assert not Competency.objects.exists()
    assert not CompetencyFramework.objects.exists()


def test_a_published_framework_takes_no_more_rows(cast):
    framework = framework_services.import_competencies_csv(
        cast.organization, by=None, raw=SHEET, framework_name="Data"
    ).framework
    framework_services.publish_framework(framework, by=cast["admin"])
    with pytest.raises(CsvError, match="is published"):
        framework_services.import_competencies_csv(
            cast.organization, by=None, raw="statement\nMore\n", framework_name="Data"
        )
    assert framework.competencies.count() == 4


def test_the_csv_command_imports_and_fails_clearly(cast, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(SHEET)
    out = StringIO()
    call_command(
        "import_competencies_csv", str(good), org=cast.organization.slug,
        framework="Data", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    assert "4 competencies in all" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text("code,statement,parent\nA,One,Z\n")
    with pytest.raises(CommandError) as error:
        call_command(
            "import_competencies_csv",
            str(bad),
            org=cast.organization.slug,
            framework="Data",
        )
    assert "row 2, column parent: 'Z'" in str(error.value)
    assert Competency.objects.count() == 4
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "import_competencies_csv", str(tmp_path / "missing.csv"),
            org=cast.organization.slug, framework="Data",
        )  # fmt: skip


# OpenSALT's spreadsheet template (opensalt/opensalt, docs/sample files/
# sample_case.csv and core/tests/_data/children.csv): identifiers that are
# codes, parents named by code in "Is Child Of", and association columns.
OPENSALT = """\
"Identifier","fullStatement","Human Coding Scheme","sequenceNumber","Abbreviated Statement","ConceptKeywords","Notes","Is Child Of","IsPartOf","replacedBy","Exemplar","hasSkillLevel","IsRelatedTo"
"Math","Everything about math","M","1","","","Math","","","","","",""
"Math.Fractions","Fractions are rational numbers","M.F","1","Math","","Testing","M","","","","","CCSS.Math.Content.HSF-IF.C.8b"
"Math.Fractions.Cluster1","Students understand operations on fractions.","M.F.1-2","2","Math.Fractions","","","M.F","","","","","http://asn.jesandco.org/resources/S1143417"
"Math.Fractions.Cluster1.Standard1","Fractions are closed under the four operations","M.F.1-2.S1","1","","","","M.F.1-2","","","https://www.opened.com/video/801540","",""
"Math.Fractions.Cluster2","Tell rational from irrational numbers","M.F.C2","1","","fractions, irrational","","M.F","M","M.F.1-2","","",""
"Math.Exponents","Exponents","M.E","2","","","","","","","","","M.F,M.F.C2"
"""  # noqa: E501


def test_the_opensalt_template_keeps_its_tree_and_associations(cast):
    result = framework_services.import_competencies_csv(
        cast.organization, by=None, raw=OPENSALT, framework_name="Math"
    )
    framework = result.framework
    assert [
        (n.competency.code, n.depth) for n in selectors.framework_tree(framework)
    ] == [
        ("M", 0),
        ("M.F", 1),
        ("M.F.C2", 2),  # sequence number 1 comes before 2
        ("M.F.1-2", 2),
        ("M.F.1-2.S1", 3),
        ("M.E", 1),  # no parent named: its code places it, as OpenSALT does
    ]
    c2 = framework.competencies.get(code="M.F.C2")
    links = {
        (a.association_type, a.destination.code if a.destination else a.destination_uri)
        for a in c2.outgoing.exclude(association_type="isChildOf")
    }
    assert links == {("isPartOf", "M"), ("replacedBy", "M.F.1-2")}
    exemplar = framework.competencies.get(code="M.F.1-2.S1").outgoing.get(
        association_type="exemplar"
    )
    assert exemplar.destination is None
    assert exemplar.destination_uri == "https://www.opened.com/video/801540"
    related = framework.competencies.get(code="M.E").outgoing.filter(
        association_type="isRelatedTo"
    )
    assert {a.destination.code for a in related} == {"M.F", "M.F.C2"}
    outside = framework.competencies.get(code="M.F").outgoing.get(
        association_type="isRelatedTo"
    )
    assert outside.destination is None
    assert outside.destination_title == "CCSS.Math.Content.HSF-IF.C.8b"
    assert any(
        "row 3, column IsRelatedTo: 'CCSS.Math.Content.HSF-IF.C.8b' is not in this "
        "file or the framework" in w
        for w in result.warnings
    )
    assert framework.competencies.get(code="M.F.1-2").abbreviated_statement == (
        "Math.Fractions"
    )
    assert c2.case_fields["conceptKeywords"] == ["fractions", "irrational"]


@pytest.mark.parametrize("case_version", ["1.0", "1.1"])
def test_an_opensalt_sheet_with_code_identifiers_exports_as_valid_case(
    cast, case_version
):
    from tests.curriculum.test_case_conformance import UUID, schema_errors

    result = framework_services.import_competencies_csv(
        cast.organization, by=None, raw=OPENSALT, framework_name="Math"
    )
    competency = result.framework.competencies.get(code="M.F")
    assert UUID.fullmatch(competency.identifier)
    assert competency.case_fields["__original_identifier"] == "Math.Fractions"
    assert any(
        "row 3, column Identifier: 'Math.Fractions' is not a UUID" in w
        for w in result.warnings
    )
    package = selectors.case_package(result.framework, case_version=case_version)
    assert schema_errors(package, case_version) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "code,statement\nA," + "x" * 200_000 + "\n",
            "row 2: a cell is longer than 131,072 characters",
        ),
        (
            "code,statement," + "h" * 200_000 + "\nA,One,\n",
            "row 1: a cell is longer than 131,072 characters",
        ),
        ("code,statement\nA,On\x00e\n", "line 2: the file holds a NUL character"),
        (
            "statement\nOne\n".encode("utf-16"),
            "the file is not UTF-8 text",
        ),
    ],
)
def test_an_oversized_cell_or_nul_is_a_clear_error_and_imports_nothing(
    cast, raw, message
):
    with pytest.raises(CsvError) as error:
        framework_services.import_competencies_csv(
            cast.organization, by=None, raw=raw, framework_name="Data"
        )
    assert message in str(error.value)
    assert not CompetencyFramework.objects.exists()


def test_code_identifiers_go_into_a_framework_stored_without_a_uuid(cast):
    """Frameworks imported before identifiers were checked may have any
    identifier, even none: rows still get UUIDs."""
    framework = CompetencyFramework.objects.create(
        organization=cast.organization, name="Legacy", identifier=""
    )
    result = framework_services.import_competencies_csv(
        cast.organization, by=None, raw=OPENSALT, framework_name="Legacy"
    )
    assert result.framework == framework
    assert framework.competencies.count() == 6
