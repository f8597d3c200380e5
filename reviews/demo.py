"""Demo data for reviews: Northfield's advisory board (riley sits on it) and a
second version of a module waiting for the board's vote. Run after the rest of
the demo is published: from then on Northfield publishes through its board."""

from django.db import transaction

from accounts.models import Organization
from curriculum import services as curriculum
from curriculum.models import Module
from reviews import services
from reviews.models import AdvisoryBoard

BOARD = "Employer Advisory Board"


@transaction.atomic
def extend_demo(organization: Organization, users: dict) -> None:
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
