"""The one sweep: every step of grade → completion → evaluation → pathway
completion → award → PDF that a lost message or a dead worker left undone is
found in the database and queued again, in the chain's order
(docs/decisions/0012-exactly-once-issuing.md). Apps above credentials add
their own kinds of work with `register` from their AppConfig.ready()."""

from collections.abc import Callable

from accounts.notifications.services import sweep_unsent as sweep_unsent_mail
from assessments.services import jobs
from credentials.services.bulk_awards import sweep_bulk_awards
from credentials.services.issuing import sweep_unissued
from curriculum.framework_services.jobs import sweep_framework_imports
from pathways import sweeps

_registered: dict[str, Callable[[], int]] = {}


def register(kind: str, sweep_kind: Callable[[], int]) -> None:
    """`sweep_kind()` queues again what of `kind` was left, and says how many."""
    _registered[kind] = sweep_kind


def sweep() -> dict[str, int]:
    """What was queued again, by kind."""
    return {
        "framework imports": sweep_framework_imports(),
        "roster imports": sweeps.sweep_roster_imports(),
        "grade imports": jobs.sweep_grade_imports(),
        "bulk awards": sweep_bulk_awards(),
        "re-evaluations": sweeps.sweep_stale_reevaluations(),
        "learners to evaluate": sweeps.sweep_unevaluated(),
        "awards to issue": sweep_unissued(),
        "e-mails to send": sweep_unsent_mail(),
        # Work of the apps above (LMS syncs) comes last: it may record
        # completions, whose awards the next sweep finds if a message is lost.
        **{kind: sweep_kind() for kind, sweep_kind in _registered.items()},
    }
