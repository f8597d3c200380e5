"""Build realistic curriculum through the services, as a designer would."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Membership, Organization
from assessments import services as assessments
from assessments.models import AssessmentTask, Submission
from credentials.certificate_design import CertificateDesign, Signatory
from curriculum import services as curriculum
from curriculum.models import Competency, CompetencyFramework
from pathways import services as pathways
from pathways.models import Enrolment, PathwayVersion
from reviews import services as reviews
from tests import factories

Role = Membership.Role

LEVELS = [
    assessments.LevelSpec("Not yet", 0),
    assessments.LevelSpec("Developing", 1),
    assessments.LevelSpec("Competent", 2),
    assessments.LevelSpec("Exemplary", 3),
]


@dataclass
class Cast:
    organization: Organization
    people: dict = field(default_factory=dict)
    other_organization: Organization | None = None

    def __getitem__(self, role: str):
        return self.people[role]


@dataclass
class Built:
    version: PathwayVersion
    tasks: list[AssessmentTask]


def make_cast() -> Cast:
    organization = factories.OrganizationFactory()
    cast = Cast(organization)
    for role in ("designer", "reviewer", "faculty", "admin"):
        cast.people[role] = factories.UserFactory(
            username=f"{role}-{organization.slug}"
        )
        curriculum.add_member(organization, cast.people[role], role=role)
    for name in ("learner", "other_learner"):
        cast.people[name] = factories.UserFactory()
        curriculum.add_member(organization, cast.people[name], role=Role.LEARNER)
    cast.people["stranger"] = factories.UserFactory()
    cast.other_organization = factories.OrganizationFactory()
    cast.people["outside_faculty"] = factories.UserFactory()
    curriculum.add_member(
        cast.other_organization, cast.people["outside_faculty"], role=Role.FACULTY
    )
    return cast


def make_module(
    cast: Cast, code: str, *, publish: bool = True, valid_for_days: int | None = None
) -> AssessmentTask:
    framework, _ = CompetencyFramework.objects.get_or_create(
        organization=cast.organization, name="ESCO", defaults={"source": "ESCO"}
    )
    skill = Competency.objects.create(
        framework=framework,
        statement=f"use spreadsheets software ({code})",
        uri="http://data.europa.eu/esco/skill/1973c966-f236-40c9-b2d4-5d71a89019be",
    )
    version = curriculum.create_module_version(
        cast.organization,
        by=cast["designer"],
        code=code,
        title=f"Module {code}",
        valid_for_days=valid_for_days,
    )
    outcomes = [
        curriculum.add_outcome(
            version,
            by=cast["designer"],
            statement=f"Outcome {n} of {code}",
            competencies=[skill],
        )
        for n in (1, 2)
    ]
    task = assessments.create_task(
        version,
        by=cast["designer"],
        title=f"Task of {code}",
        criteria=[
            assessments.CriterionSpec("Accuracy", [outcomes[0]]),
            assessments.CriterionSpec("Communication", [outcomes[1]]),
        ],
        levels=LEVELS,
        pass_min_total=4,
        pass_min_level=1,
    )
    if publish:
        curriculum.publish_version(
            version, by=cast["admin"], changelog="First release."
        )
    return AssessmentTask.objects.select_related("version").get(pk=task.pk)


def make_pathway(
    cast: Cast, codes=("A-101", "B-102", "C-103"), *, valid_for_days=None
) -> Built:
    tasks = [make_module(cast, code) for code in codes]
    version = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH",
        title="Data pathway",
        rule=pathways.all_of(codes),
        valid_for_days=valid_for_days,
    )
    version = pathways.publish_pathway_version(
        version, by=cast["admin"], changelog="First release."
    )
    return Built(version, tasks)


def levels_for(task: AssessmentTask, position: int) -> dict[int, int]:
    """Criterion id -> the level at this position, for every criterion."""
    return {
        c.pk: next(lv.pk for lv in c.levels.all() if lv.position == position)
        for c in task.rubric.criteria.prefetch_related("levels")
    }


def submit(task: AssessmentTask, learner, text: str = "My evidence") -> Submission:
    return assessments.submit_evidence(task, learner=learner, text=text)


def submit_and_pass(task: AssessmentTask, learner, grader) -> Submission:
    submission = submit(task, learner)
    assessments.grade_submission(
        submission, grader=grader, levels=levels_for(task, 2), comment="Good work."
    )
    return submission


def user(username: str):
    return get_user_model().objects.get(username=username)


def make_board(cast: Cast, *, approvals_needed: int = 2, rejections_allowed: int = 0):
    """An advisory board of three seated members: the organization's reviewer and
    two outside practitioners (cast people "practitioner_1" and "practitioner_2");
    the first practitioner agreed to be named publicly."""
    board = reviews.create_board(
        cast.organization,
        by=cast["admin"],
        name="Industry board",
        approvals_needed=approvals_needed,
        rejections_allowed=rejections_allowed,
    )
    seats = [("reviewer", cast["reviewer"], False)]
    for n in (1, 2):
        person = factories.UserFactory(
            username=f"practitioner{n}-{cast.organization.slug}"
        )
        cast.people[f"practitioner_{n}"] = person
        seats.append((f"practitioner_{n}", person, n == 1))
    for _, person, named in seats:
        _, token = reviews.invite_member(
            board,
            by=cast["admin"],
            name=person.get_full_name() or person.username,
            email=person.email,
            is_named_publicly=named,
        )
        reviews.accept_invitation(token, user=person)
    return board


def with_suspension_entries(cast: Cast) -> None:
    """The organization's awards carry a suspension entry beside the revocation
    one, as its admin chooses under "How credentials are signed"."""
    from credentials import services as credentials

    credentials.set_signing_options(
        cast.organization,
        by=cast["admin"],
        proof_format="eddsa-rdfc-2022",
        suspension_entry=True,
    )


def enrol_many(cast: "Cast", version: PathwayVersion, count: int, *, prefix: str):
    """`count` learners of the cast's organization enrolled in `version`, in
    three bulk inserts (the benchmarks' cohorts); usernames start `prefix`."""
    stamp = cast.organization.slug
    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(
            username=f"{prefix}-{stamp}-{n}",
            email=f"{prefix}{n}@{stamp}.example",
            first_name="Learner",
            last_name=str(n),
        )
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(organization=cast.organization, user=u, role=Membership.Role.LEARNER)
        for u in users
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(learner=u, version=version, enrolled_at=now, evaluated_at=now)
        for u in users
    )
    return users


# A designed certificate template: a bundled font, its own colours and two
# signatories (the certificate tests and the issuing bench lay it out).
DESIGNED_CERTIFICATE = CertificateDesign(
    page="a4-portrait",
    font="eb-garamond",
    main_colour="#1f3a5f",
    accent_colour="#a67c2d",
    signatories=(Signatory("Ada Lovelace", "Director"), Signatory("Grace Hopper")),
)
