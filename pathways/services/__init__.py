"""Every change to pathways, enrolments and equivalences goes through here.

Split by sub-domain; callers use `from pathways import services` and the names
below.
"""

from pathways.services.authoring import (
    all_of,
    check_rule,
    create_pathway_version,
    publish_pathway_version,
    set_stacking,
    update_rule,
)
from pathways.services.cohorts import move_cohort, run_reevaluation, start_reevaluation
from pathways.services.completions import (
    award_pathway,
    evaluate_learner_pathways,
    record_pathway_completion,
    void_pathway_completion,
)
from pathways.services.enrolment import enrol, override_prerequisite
from pathways.services.equivalences import approve_equivalence, withdraw_equivalence

__all__ = [
    "all_of",
    "approve_equivalence",
    "award_pathway",
    "check_rule",
    "create_pathway_version",
    "enrol",
    "evaluate_learner_pathways",
    "move_cohort",
    "override_prerequisite",
    "publish_pathway_version",
    "record_pathway_completion",
    "run_reevaluation",
    "set_stacking",
    "start_reevaluation",
    "update_rule",
    "void_pathway_completion",
    "withdraw_equivalence",
]
