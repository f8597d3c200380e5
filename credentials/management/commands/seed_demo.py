"""Load the demo: one college, a pathway of three modules, a login per role, and
learners at three stages. Running it again changes nothing."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import demo as assessments_demo
from assessments import services as assessments
from assessments.models import Submission
from credentials import demo as credentials_demo
from curriculum import demo as curriculum_demo
from curriculum import services as curriculum
from curriculum.models import Competency, CompetencyFramework, Membership, Organization
from pathways import demo as pathways_demo
from pathways import services as pathways
from reviews import demo as reviews_demo

# Each app adds its own part of the demo, in dependency order.
DEMO_EXTENSIONS = [
    curriculum_demo.extend_demo,
    assessments_demo.extend_demo,
    pathways_demo.extend_demo,
    reviews_demo.extend_demo,
    credentials_demo.extend_demo,
]

PASSWORD = "cairn-demo"
Role = Membership.Role

PEOPLE = [
    ("dana", "Dana", "Okafor", Role.DESIGNER),
    ("riley", "Riley", "Brennan", Role.REVIEWER),
    ("farah", "Farah", "Haddad", Role.FACULTY),
    ("ada", "Ada", "Lindqvist", Role.ADMIN),
    ("lena", "Lena", "Marsh", Role.LEARNER),
    ("liam", "Liam", "Novak", Role.LEARNER),
    ("lucy", "Lucy", "Tran", Role.LEARNER),
]
STAGES = {
    "lena": "has completed the pathway (credentials, PDFs and verification pages)",
    "liam": "is halfway: one module done, a second waiting in the grading queue",
    "lucy": "has just enrolled",
}

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
LEVELS = [
    assessments.LevelSpec("Not yet", 0, "The criterion is not met."),
    assessments.LevelSpec("Developing", 1, "Partly met, with gaps a reader notices."),
    assessments.LevelSpec("Competent", 2, "Met, as a workplace would expect."),
    assessments.LevelSpec("Exemplary", 3, "Met with care others could learn from."),
]


class Command(BaseCommand):
    help = "Load the Cairn demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options) -> None:
        if Organization.objects.filter(slug="northfield").exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            self.load()
        self.extend()
        self.print_logins()

    def extend(self) -> None:
        """Each app's own demo additions; each is idempotent. Reviews come last:
        once the college has an advisory board, drafts publish through it."""
        organization = Organization.objects.get(slug="northfield")
        users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=[username for username, *_ in PEOPLE]
            )
        }
        for extend_demo in DEMO_EXTENSIONS:
            extend_demo(organization, users)

    def load(self) -> None:
        with transaction.atomic():
            organization = Organization.objects.create(
                name="Northfield College",
                slug="northfield",
                url="https://northfield.example.edu",
                email="credentials@northfield.example.edu",
                description="A community college issuing stackable micro-credentials.",
            )
            users = {}
            for username, first, last, role in PEOPLE:
                user = get_user_model().objects.create_user(
                    username=username,
                    email=f"{username}@northfield.example.edu",
                    password=PASSWORD,
                    first_name=first,
                    last_name=last,
                )
                curriculum.add_member(organization, user, role=role)
                users[username] = user
            ada = users["ada"]
            ada.is_staff = ada.is_superuser = True
            ada.save(update_fields=["is_staff", "is_superuser"])
            framework = CompetencyFramework.objects.create(
                organization=organization,
                name="ESCO transversal skills",
                source="ESCO",
                uri="http://data.europa.eu/esco/concept-scheme/skill-transversal-groups",
            )
            skills = {
                key: Competency.objects.create(
                    framework=framework, statement=label, uri=ESCO + uuid
                )
                for key, (label, uuid) in SKILLS.items()
            }
            tasks = {}
            for plan in MODULES:
                tasks[plan.code] = self.build_module(plan, organization, users, skills)
            version = pathways.create_pathway_version(
                organization,
                by=users["dana"],
                code="DATA-PATH",
                title="Data Analysis for the Workplace",
                summary="Three modules that take you from a raw spreadsheet to a "
                "report a manager can act on.",
                rule=pathways.all_of([plan.code for plan in MODULES]),
            )
            pathway = pathways.publish_pathway_version(
                version, by=ada, changelog="First release of the pathway."
            )
            for name in ("lena", "liam", "lucy"):
                pathways.enrol(users[name], pathway)
        # Grading runs outside the set-up transaction so each pass commits and the
        # pipeline (completions, awards, PDFs) runs as it does for real.
        farah = users["farah"]
        for code in ("SHEET-101", "VIZ-102", "REPORT-103"):
            self.pass_task(tasks[code], users["lena"], farah)
        self.pass_task(tasks["SHEET-101"], users["liam"], farah)
        assessments.submit_evidence(
            tasks["VIZ-102"],
            learner=users["liam"],
            text="My quarterly chart compares revenue by region as a bar chart, "
            "sorted, with units on the axis. Notes explain the dip in March.",
            link="https://example.org/liam/q1-chart",
        )

    def build_module(self, plan: ModulePlan, organization, users, skills):
        dana, ada = users["dana"], users["ada"]
        version = curriculum.create_module_version(
            organization,
            by=dana,
            code=plan.code,
            title=plan.title,
            summary=plan.summary,
            credits=Decimal("5.0"),
            level="EQF 5",
        )
        outcomes = [
            curriculum.add_outcome(
                version,
                by=dana,
                statement=statement,
                competencies=[skills[k] for k in keys],
            )
            for statement, keys in plan.outcomes
        ]
        task = assessments.create_task(
            version,
            by=dana,
            title=plan.task,
            instructions="Submit your work as a file or a link, with a short note "
            "on how it meets each criterion.",
            criteria=[
                assessments.CriterionSpec(name, [outcome])
                for name, outcome in zip(plan.criteria, outcomes, strict=True)
            ],
            levels=LEVELS,
            pass_min_total=6,
            pass_min_level=1,
        )
        curriculum.publish_version(version, by=ada, changelog="First release.")
        return task

    def pass_task(self, task, learner, grader) -> None:
        submission = assessments.submit_evidence(
            task,
            learner=learner,
            text=f"My work for “{task.title}”, with notes against each criterion.",
            link=f"https://example.org/{learner.username}/{task.pk}",
        )
        submission = Submission.objects.get(pk=submission.pk)
        criteria = list(task.rubric.criteria.prefetch_related("levels"))
        assessments.grade_submission(
            submission,
            grader=grader,
            levels={
                c.pk: list(c.levels.all())[2 + (i == 0)].pk
                for i, c in enumerate(criteria)
            },
            comments={c.pk: "Clear and well evidenced." for c in criteria},
            comment="Well done: this meets the standard.",
        )

    def print_logins(self) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"\nCairn demo logins (password for all: {PASSWORD})")
        )
        for username, first, last, role in PEOPLE:
            stage = f" — {STAGES[username]}" if username in STAGES else ""
            self.stdout.write(f"  {username:<6} {first} {last}, {role.label}{stage}")
        self.stdout.write("")
