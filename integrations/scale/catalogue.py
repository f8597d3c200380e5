"""The part of the scale data set made through the services, as the product
makes it: colleges with their staff, nine modules and two pathways each, and a
few sample learners per college who hand in, are graded and receive signed
credentials. Their awards are the real, individually signed ones; the bulk copy
(integrations/scale/bulk.py) reuses their documents as its templates."""

from dataclasses import dataclass, field, replace

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization
from assessments.models import AssessmentTask
from credentials.models import Award
from curriculum import demo as curriculum_demo
from curriculum import services as curriculum
from curriculum.models import ModuleVersion
from integrations import demo_catalogue
from integrations.management.commands import seed_demo
from pathways import services as pathways
from pathways.models import PathwayVersion

Role = Membership.Role
PASSWORD = "cairn-scale"
TOWNS = [
    "Ashford", "Brookvale", "Cedar Falls", "Dunmore", "Eastwick", "Fairhaven",
    "Glenrock", "Harbor City", "Ironwood", "Juniper", "Kingsbridge", "Lakeshore",
    "Millbrook", "Northgate", "Oakridge", "Pinecrest", "Queensport", "Riverton",
    "Stonebridge", "Twin Oaks",
]  # fmt: skip
# Nine modules a college: the demo's three, twice more at higher levels.
STAGES = ["", " II", " III"]
MODULES_PER_PATHWAY = 4
SAMPLE_LEARNERS = 2  # per college, through the services: their awards are signed


def module_plans() -> list[demo_catalogue.ModulePlan]:
    plans = []
    for stage, suffix in enumerate(STAGES):
        for i, plan in enumerate(demo_catalogue.MODULES):
            prefix = plan.code.split("-")[0]
            code = f"{prefix}-{101 + stage * 3 + i}"
            plans.append(replace(plan, code=code, title=plan.title + suffix))
    return plans


def design_for(code: str) -> dict:
    prefix = code.split("-")[0]
    base = next(c for c in curriculum_demo.BADGE_DESIGNS if c.startswith(prefix))
    return curriculum_demo.BADGE_DESIGNS[base]


@dataclass
class College:
    """One organization of the state system and what the bulk copy needs of it."""

    organization: Organization
    admin: object
    faculty: list
    # In pathway order: the two pathways' eight modules, then the capstone.
    modules: list[ModuleVersion] = field(default_factory=list)
    tasks: list[AssessmentTask] = field(default_factory=list)
    pathways: list[PathwayVersion] = field(default_factory=list)
    samples: list = field(default_factory=list)


def build_college(number: int, password: str) -> College:
    """A college with its people, curriculum and pathways, published."""
    town = TOWNS[number % len(TOWNS)]
    slug = f"college-{number:02d}"
    with transaction.atomic():
        organization = Organization.objects.create(
            name=f"{town} Community College"
            + (f" {number // len(TOWNS) + 1}" if number >= len(TOWNS) else ""),
            slug=slug,
            url=f"https://{slug}.example.edu",
            email=f"credentials@{slug}.example.edu",
            description="A college of the state system.",
        )

        def person(username: str, first: str, role: str):
            return demo_catalogue.add_person(
                organization, username, first, town, role, password=password
            )

        admin = person(f"admin{number:02d}", "Ada", Role.ADMIN)
        designer = person(f"designer{number:02d}", "Dana", Role.DESIGNER)
        faculty = [
            person(f"faculty{number:02d}{x}", "Farah", Role.FACULTY) for x in "ab"
        ]
        skills = demo_catalogue.add_skills(organization)
        college = College(organization, admin, faculty)
        for plan in module_plans():
            task = demo_catalogue.build_module(
                plan,
                organization,
                designer=designer,
                admin=admin,
                skills=skills,
                design=design_for(plan.code),
            )
            college.tasks.append(task)
            college.modules.append(task.version)
        codes = [m.module.code for m in college.modules]
        titles = ["Data Analysis for the Workplace", "Advanced Data Analysis"]
        for p, title in enumerate(titles):
            version = pathways.create_pathway_version(
                organization,
                by=designer,
                code=f"DATA-PATH-{p + 1}",
                title=title,
                summary="Four modules, from raw data to a report a manager acts on.",
                rule=pathways.all_of(
                    codes[p * MODULES_PER_PATHWAY : (p + 1) * MODULES_PER_PATHWAY]
                ),
            )
            curriculum.design_badge(
                version, by=designer, design=curriculum_demo.BADGE_DESIGNS["DATA-PATH"]
            )
            college.pathways.append(
                pathways.publish_pathway_version(version, by=admin, changelog="First.")
            )
    return college


def add_samples(college: College, number: int, password: str) -> None:
    """Learners who enrol, hand in every pathway module and are graded through
    the services: each of their awards is signed, as the pipeline signs it."""
    org = college.organization
    command = seed_demo.Command()
    modules = college.modules[: len(college.pathways) * MODULES_PER_PATHWAY]
    for s in range(SAMPLE_LEARNERS):
        username = f"sample{number:02d}{s}"
        learner = demo_catalogue.add_person(
            org, username, "Sam", f"Sample {s}", Role.LEARNER, password=password
        )
        for version in college.pathways:
            pathways.enrol(learner, version)
        users = {username: learner, "farah": college.faculty[0]}
        for m, version in enumerate(modules):
            days = 60 - m * 6
            attempt = seed_demo.Attempt(username, version.module.code, days, days - 2)
            command.hand_in(attempt, college.tasks[m], users, now=timezone.now())
        college.samples.append(learner)


def sample_awards(college: College) -> list[Award]:
    return list(Award.objects.filter(learner__in=college.samples).order_by("pk"))


def password_hash() -> str:
    """Computed once (the hasher's work factor is about 0.3 s) and reused."""
    return make_password(PASSWORD)
