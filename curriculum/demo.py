"""Curriculum authoring in the demo: a published framework of the college's own,
and a draft module with every field filled and outcomes aligned to it."""

from decimal import Decimal

from accounts.models import Organization
from curriculum import framework_services, services
from curriculum.models import CompetencyFramework, Module

FRAMEWORK = "Northfield digital workplace skills"
TREE = [
    ("DW", "Work with data in everyday tools", None),
    ("DW.1", "Summarise a table with pivot tables and totals", "DW"),
    ("DW.2", "Clean and validate data before analysis", "DW"),
    ("DW.3", "Visualise quantitative information honestly", "DW"),
    ("CM", "Communicate findings", None),
    ("CM.1", "Write a short report a manager can act on", "CM"),
    ("CM.2", "Present numbers with their uncertainty and sources", "CM"),
]
BADGE = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120">
<title>Data cleaning badge</title>
<circle cx="60" cy="60" r="56" fill="#2f6b5e"/>
<path d="M30 78 L52 54 L66 68 L90 40" stroke="#f2b632" stroke-width="8" fill="none"
 stroke-linecap="round" stroke-linejoin="round"/>
<text x="60" y="104" font-size="14" text-anchor="middle" fill="#fff">CLEAN</text>
</svg>"""


# The demo's designed badges (curriculum/badge_design.py), by module or pathway
# code; CLEAN-201 keeps its uploaded SVG above.
BADGE_DESIGNS = {
    "SHEET-101": {
        "shape": "hexagon",
        "background": "#e8f3ef",
        "border": "#2f6b5e",
        "ink": "#1d2b45",
        "icon": "calculator",
        "text": "SHEETS",
    },
    "VIZ-102": {
        "shape": "circle",
        "background": "#fff4d6",
        "border": "#a06d00",
        "ink": "#1d2b45",
        "icon": "chart-bar",
        "text": "CHARTS",
    },
    "REPORT-103": {
        "shape": "shield",
        "background": "#eef0fb",
        "border": "#3b4a8f",
        "ink": "#1d2b45",
        "icon": "pen-tool",
        "text": "REPORTS",
    },
    "DATA-PATH": {
        "shape": "ribbon",
        "background": "#ffffff",
        "border": "#7a1f5c",
        "ink": "#3a1030",
        "icon": "trophy",
        "text": "DATA ANALYST",
    },
    "DATA-ESS": {
        "shape": "ribbon",
        "background": "#ffffff",
        "border": "#2f6b5e",
        "ink": "#1d2b45",
        "icon": "graduation-cap",
        "text": "ESSENTIALS",
    },
}


def extend_demo(organization: Organization, users: dict) -> None:
    """Idempotent: does nothing when the framework already exists."""
    if CompetencyFramework.objects.filter(
        organization=organization, name=FRAMEWORK
    ).exists():
        return
    dana, ada = users["dana"], users["ada"]
    framework = framework_services.create_framework(
        organization,
        by=dana,
        name=FRAMEWORK,
        description="The skills Northfield's data modules certify, kept by the "
        "curriculum team and exported to partners as CASE.",
    )
    made = {}
    for code, statement, parent in TREE:
        made[code] = framework_services.add_competency(
            framework,
            by=dana,
            code=code,
            statement=statement,
            competency_type="Skill" if parent else "Domain",
            education_levels=["EQF 4", "EQF 5"],
            parent=made.get(parent) if parent else None,
        )
    framework_services.publish_framework(framework, by=ada)

    prerequisites = list(
        Module.objects.filter(organization=organization, code="SHEET-101")
    )
    version = services.create_module_version(
        organization,
        by=dana,
        code="CLEAN-201",
        title="Clean data before you trust it",
        summary="Find and fix the errors that spoil an analysis: duplicates, "
        "types, outliers and missing values.",
        criteria_narrative="Clean a messy export so that its totals reconcile, "
        "and document every change.",
        credits=Decimal("3.0"),
        level="EQF 5",
        notional_hours=75,
        delivery_mode="blended",
        language="en",
        prerequisites=prerequisites,
        badge_image=BADGE,
    )
    for statement, codes, level in [
        ("Validate a data export against its source totals", ["DW.2"], "advanced"),
        ("Document each cleaning step so others can repeat it", ["CM.1"], ""),
        ("Chart the data before and after cleaning", ["DW.3"], "intermediate"),
    ]:
        services.add_outcome(
            version,
            by=dana,
            statement=statement,
            competencies=[made[c] for c in codes],
            proficiency_level=level,
        )
