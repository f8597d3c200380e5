"""Demo data for reviews: Northfield's advisory board (riley sits on it) and a
second version of a module waiting for the board's vote. Run after the rest of
the demo is published: from then on Northfield publishes through its board."""

from django.db import transaction

from accounts.models import Organization
from curriculum import lifecycle
from curriculum import services as curriculum
from curriculum.models import Module
from reviews import services
from reviews.models import AdvisoryBoard

BOARD = "Employer Advisory Board"


def extend_demo(organization: Organization, users: dict) -> None:
    _board_and_first_round(organization, users)
    _approved_round(organization, users)


@transaction.atomic
def _board_and_first_round(organization: Organization, users: dict) -> None:
    if AdvisoryBoard.objects.filter(organization=organization, name=BOARD).exists():
        return
    riley, dana, ada = users["riley"], users["dana"], users["ada"]
    board = services.create_board(
        organization,
        by=ada,
        name=BOARD,
        description="Practitioners from local employers who check that each "
        "credential asks for what the workplace needs.",
        approvals_needed=1,
        rejections_allowed=0,
    )
    _, token = services.invite_member(
        board,
        by=ada,
        name=riley.get_full_name() or riley.username,
        email=riley.email,
        is_practitioner=True,
        is_named_publicly=True,
    )
    services.accept_invitation(token, user=riley)
    modules = Module.objects.filter(organization=organization)
    module = modules.filter(code="SHEET-101").first() or modules.first()
    if module is None:
        return
    published = module.versions.published().order_by("-number").first()
    draft = curriculum.create_module_version(
        organization,
        by=dana,
        code=module.code,
        title=published.title if published else module.code,
        summary=published.summary if published else "",
        credits=published.credits if published else 5,
        level=published.level if published else "",
    )
    statements = (
        [o.statement for o in published.outcomes.all()] if published else []
    ) + ["Check a data set for errors and document each correction made."]
    for statement in statements:
        curriculum.add_outcome(draft, by=dana, statement=statement)
    services.submit_for_review(
        draft,
        by=dana,
        board=board,
        note="Adds an outcome on data checking, asked for by two employers.",
    )


@transaction.atomic
def _approved_round(organization: Organization, users: dict) -> None:
    """A second version of Analytical Reporting the board approved: it waits on
    Ada's home page to be published, and Dana is told of the decision."""
    board = AdvisoryBoard.objects.filter(organization=organization, name=BOARD).first()
    module = Module.objects.filter(organization=organization, code="REPORT-103").first()
    if board is None or module is None or module.versions.count() > 1:
        return
    riley, dana = users["riley"], users["dana"]
    published = module.versions.published().order_by("-number").first()
    # A new draft copied from the published version: outcomes, tasks, rubric.
    draft = lifecycle.start_next_draft(published, by=dana)
    curriculum.add_outcome(
        draft, by=dana, statement="Defend the report's findings in a short talk."
    )
    review = services.submit_for_review(
        draft, by=dana, board=board, note="Adds an oral defence, as employers asked."
    )
    services.declare_interest(review, user=riley, has_conflict=False)
    services.cast_vote(
        review,
        user=riley,
        decision="approve",
        reason="The oral defence is what we look for when hiring.",
    )
