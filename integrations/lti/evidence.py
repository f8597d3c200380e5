"""What a completion recorded from a learning platform's grade puts in its
credential: which platform, course, line items, scores and when. Registered
with credentials' evidence describers from IntegrationsConfig.ready()."""

from decimal import Decimal

from assessments.models import ModuleCompletion
from credentials.openbadges import EvidenceInfo
from integrations.models import LtiResultCompletion

GENRE = "Grade in a learning platform"


def _score(value: str) -> str:
    return f"{Decimal(value).normalize():f} %"


def describe(completion: ModuleCompletion) -> tuple[EvidenceInfo, ...]:
    evidence = (
        LtiResultCompletion.objects.filter(completion=completion)
        .select_related("rule__context__platform")
        .first()
    )
    if evidence is None:
        return ()
    rule = evidence.rule
    context = rule.context
    course = context.title or context.context_id
    labels = rule.line_item_labels
    scores = "; ".join(
        f"“{labels.get(item, item)}”: {_score(value)}"
        + (f", letter {evidence.letters[item]}" if evidence.letters.get(item) else "")
        for item, value in sorted(evidence.scores.items())
    )
    read_on = evidence.recorded_at.date().isoformat()
    return (
        EvidenceInfo(
            id="",
            name=f"{GENRE}: {course} on {context.platform.name}",
            genre=GENRE,
            narrative=(
                f"Course “{course}” on {context.platform.name} "
                f"({context.platform.issuer}), read on {read_on}. {scores}."
            ),
        ),
    )
