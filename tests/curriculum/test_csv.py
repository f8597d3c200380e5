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
