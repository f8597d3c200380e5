"""Demo data for stacking: a second, overlapping pathway with a choice in it,
and an approved equivalence. Idempotent: running it again changes nothing."""

from curriculum import demo as curriculum_demo
from curriculum import services as curriculum
from curriculum.models import Module
from pathways import services
from pathways.models import Equivalence, Pathway, PathwayVersion


def extend_demo(organization, users: dict) -> None:
    ada, dana = users["ada"], users["dana"]
    if not Pathway.objects.filter(
        organization=organization, code="DATA-STORY"
    ).exists():
        # Dana's pathway draft, waiting on her home page to be finished.
        services.create_pathway_version(
            organization,
            by=dana,
            code="DATA-STORY",
            title="Data Storytelling",
            summary="Charts, then a written report that tells their story.",
            rule={
                "type": "all",
                "children": [
                    {"type": "module", "code": "VIZ-102"},
                    {"type": "module", "code": "REPORT-103"},
                ],
            },
        )
    if not Pathway.objects.filter(organization=organization, code="DATA-ESS").exists():
        version = services.create_pathway_version(
            organization,
            by=dana,
            code="DATA-ESS",
            title="Data Essentials",
            summary="Spreadsheets, then either charts or a written report.",
            rule={
                "type": "all",
                "children": [
                    {"type": "module", "code": "SHEET-101"},
                    {
                        "type": "any",
                        "n": 1,
                        "children": [
                            {"type": "module", "code": "VIZ-102"},
                            {"type": "module", "code": "REPORT-103"},
                        ],
                    },
                ],
            },
            valid_for_days=3 * 365,
        )
        curriculum.design_badge(
            version, by=dana, design=curriculum_demo.BADGE_DESIGNS["DATA-ESS"]
        )
        services.publish_pathway_version(
            version, by=ada, changelog="A shorter pathway that shares its modules."
        )
    essentials = (
        PathwayVersion.objects.published()
        .filter(pathway__organization=organization, pathway__code="DATA-ESS")
        .order_by("-number")
        .first()
    )
    for name in ("liam", "lucy"):
        services.enrol(users[name], essentials)
    sheets = Module.objects.filter(organization=organization, code="SHEET-101").first()
    if (
        sheets is not None
        and not Equivalence.objects.filter(
            organization=organization, issuer="open-polytechnic"
        ).exists()
    ):
        services.approve_equivalence(
            organization,
            by=ada,
            issuer="open-polytechnic",
            achievement="OP-SPREADSHEETS-1",
            module=sheets,
            note="Outcomes mapped one to one by the advisory board.",
        )
