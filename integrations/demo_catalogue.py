"""The demo college's catalogue: its ESCO skills, its three modules with their
rubrics, and the builders that make a college's people, skills and modules
through the services. The demo (seed_demo) and the scale data set
(integrations/scale/catalogue.py) both build with them."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from assessments import services as assessments
from curriculum import services as curriculum
from curriculum.models import Competency, CompetencyFramework

ESCO = "http://data.europa.eu/esco/skill/"
SKILLS = {
    "spreadsheets": (
        "use spreadsheets software",
        "1973c966-f236-40c9-b2d4-5d71a89019be",
    ),
    "calculations": (
        "carry out work-related calculations",
        "19ba11f3-9c99-41fd-a7c9-f77e6a026186",
    ),
    "evaluate": (
        "evaluate data, information and digital content",
        "1d6c7de4-350e-4868-a47b-333b4b0d9650",
    ),
    "presentation": (
        "use presentation software",
        "234aeb8d-56c3-4531-9193-1c5e6a8d16cb",
    ),
    "quantitative": (
        "manage quantitative data",
        "57231a22-4da7-49c8-97b8-75672feadf1e",
    ),
    "share": (
        "share through digital technologies",
        "40001d93-8937-4859-89d5-2dca53290ff4",
    ),
}


@dataclass(frozen=True)
class ModulePlan:
    code: str
    title: str
    summary: str
    outcomes: tuple[tuple[str, tuple[str, ...]], ...]
    task: str
    criteria: tuple[str, ...]


MODULES = [
    ModulePlan(
        "SHEET-101",
        "Spreadsheet Foundations",
        "Structure, clean and summarise workplace data in a spreadsheet.",
        (
            (
                "Structure a data set in a table with typed, validated columns.",
                ("spreadsheets",),
            ),
            (
                "Build formulas that compute totals, rates and lookups correctly.",
                ("calculations", "spreadsheets"),
            ),
            (
                "Summarise data with a pivot table that answers a stated question.",
                ("quantitative",),
            ),
        ),
        "Clean and summarise a sales ledger",
        ("Data structure", "Formulas", "Summary answers the question"),
    ),
    ModulePlan(
        "VIZ-102",
        "Data Visualisation",
        "Choose and build honest charts that a manager can read at a glance.",
        (
            ("Choose a chart type that fits the comparison being made.", ("evaluate",)),
            (
                "Build a chart with labelled axes, units and a clear title.",
                ("presentation",),
            ),
            (
                "Explain what a chart shows, and what it does not, in plain words.",
                ("evaluate", "share"),
            ),
        ),
        "Chart a quarter's performance",
        ("Chart choice", "Chart construction", "Explanation"),
    ),
    ModulePlan(
        "REPORT-103",
        "Analytical Reporting",
        "Turn an analysis into a short report with a recommendation.",
        (
            ("Frame a business question that data can answer.", ("evaluate",)),
            ("Present findings with evidence in a two-page report.", ("share",)),
            (
                "Make a recommendation that follows from the evidence.",
                ("quantitative",),
            ),
        ),
        "Write a two-page analytical report",
        ("Question framing", "Evidence", "Recommendation"),
    ),
]
# What each level of each criterion looks like in the work, Not yet to Exemplary:
# what a grader reads in each cell of the rubric.
DESCRIPTORS = {
    "Data structure": (
        "Data is scattered across sheets or mixes headings with values.",
        "One table, but some columns mix types or lack clear headings.",
        "One table with a header row, one type per column and validation on key "
        "columns.",
        "As Competent, and named ranges or a data dictionary explain each column.",
    ),
    "Formulas": (
        "Totals are typed in by hand or the formulas give wrong results.",
        "Formulas give right results but break when rows are added.",
        "Totals, rates and lookups are correct and survive new rows.",
        "As Competent, and checks flag missing or impossible values.",
    ),
    "Summary answers the question": (
        "No summary, or one that does not address the question asked.",
        "A pivot table summarises the data but leaves the answer to the reader.",
        "A pivot table answers the stated question, with the answer in one line.",
        "As Competent, and it notes what the data cannot tell.",
    ),
    "Chart choice": (
        "The chart type hides the comparison that matters.",
        "A workable chart type, with clutter that slows the reader down.",
        "A chart type that fits the comparison, read at a glance.",
        "As Competent, and the choice is justified against an alternative.",
    ),
    "Chart construction": (
        "Axes, units or title are missing, or the scale misleads.",
        "Labelled, but the scale or order makes the reader work.",
        "Labelled axes with units, an honest scale and a clear title.",
        "As Competent, and annotations point at what matters.",
    ),
    "Explanation": (
        "No explanation, or one that claims more than the chart shows.",
        "Describes the chart but not what it means for the business.",
        "Says in plain words what the chart shows and what it does not.",
        "As Competent, and names the next question the data raises.",
    ),
    "Question framing": (
        "No question, or one that data cannot answer.",
        "A question, but too broad to answer with the data at hand.",
        "A specific business question that the data can answer.",
        "As Competent, and it says who will act on the answer and how.",
    ),
    "Evidence": (
        "Claims without figures, or figures without sources.",
        "Figures support some claims; others rest on opinion.",
        "Each finding rests on figures, sourced, in two pages.",
        "As Competent, and the limits of the data are stated.",
    ),
    "Recommendation": (
        "No recommendation, or one that does not follow from the findings.",
        "A recommendation that follows only in part from the findings.",
        "A clear recommendation that follows from the evidence.",
        "As Competent, with its cost, risk and a first step.",
    ),
}
LEVELS = [
    assessments.LevelSpec("Not yet", 0, "The criterion is not met."),
    assessments.LevelSpec("Developing", 1, "Partly met, with gaps a reader notices."),
    assessments.LevelSpec("Competent", 2, "Met, as a workplace would expect."),
    assessments.LevelSpec("Exemplary", 3, "Met with care others could learn from."),
]
PASS_MIN_TOTAL = 6
PASS_MIN_LEVEL = 1
MAX_ATTEMPTS = 3
RETAKE_WAIT_DAYS = 7

# ------------------------------------------------------------------ builders
# What the demo and the scale data set (integrations/scale/catalogue.py) both
# build a college's catalogue with.


def add_person(organization, username, first, last, role, *, password: str | None):
    """A user of the college with one role; password is a hash (None: no login)."""
    user = get_user_model().objects.create(
        username=username,
        email=f"{username}@{organization.slug}.example.edu",
        password=password or make_password(None),
        first_name=first,
        last_name=last,
    )
    curriculum.add_member(organization, user, role=role)
    return user


def add_skills(organization) -> dict[str, Competency]:
    """The college's ESCO framework with the skills the modules align to."""
    framework = CompetencyFramework.objects.create(
        organization=organization,
        name="ESCO transversal skills",
        source="ESCO",
        uri="http://data.europa.eu/esco/concept-scheme/skill-transversal-groups",
    )
    return {
        key: Competency.objects.create(
            framework=framework, statement=label, uri=ESCO + uuid
        )
        for key, (label, uuid) in SKILLS.items()
    }


def build_module(
    plan: ModulePlan, organization, *, designer, admin, skills: dict, design: dict
):
    """A module written by `designer`, with its outcomes, rubric task and badge,
    published by `admin`; returns its task."""
    version = curriculum.create_module_version(
        organization,
        by=designer,
        code=plan.code,
        title=plan.title,
        summary=plan.summary,
        credits=Decimal("5.0"),
        level="EQF 5",
    )
    outcomes = [
        curriculum.add_outcome(
            version,
            by=designer,
            statement=statement,
            competencies=[skills[k] for k in keys],
        )
        for statement, keys in plan.outcomes
    ]
    task = assessments.create_task(
        version,
        by=designer,
        title=plan.task,
        instructions="Submit your work as a file or a link, with a short note "
        "on how it meets each criterion.",
        criteria=[
            assessments.CriterionSpec(name, [outcome], DESCRIPTORS[name])
            for name, outcome in zip(plan.criteria, outcomes, strict=True)
        ],
        levels=LEVELS,
        pass_min_total=PASS_MIN_TOTAL,
        pass_min_level=PASS_MIN_LEVEL,
        max_attempts=MAX_ATTEMPTS,
        retake_wait_days=RETAKE_WAIT_DAYS,
    )
    curriculum.design_badge(version, by=designer, design=design)
    curriculum.publish_version(version, by=admin, changelog="First release.")
    return task
