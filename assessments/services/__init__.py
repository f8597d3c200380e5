"""Every change to assessment state goes through here, one module per sub-domain."""

from assessments.services.calibration import calibrate, set_anchor
from assessments.services.cohorts import (
    add_to_cohort,
    create_cohort,
    remove_from_cohort,
)
from assessments.services.grading import (
    change_grade,
    grade_submission,
    moderate_submission,
    record_completion,
    second_mark_submission,
    void_completion,
)
from assessments.services.imports import (
    check_grade_rows,
    import_grades,
    run_grade_import,
    start_grade_import,
)
from assessments.services.recognition import record_recognition
from assessments.services.rubrics import (
    CriterionSpec,
    LevelSpec,
    add_criterion,
    add_level,
    copy_rubric,
    create_task,
    move_criterion,
    move_level,
    remove_criterion,
    remove_level,
    set_marking_policy,
    update_cell,
    update_criterion,
    update_level_name,
    update_rubric_policy,
    update_task,
)
from assessments.services.submissions import (
    attempt_problem,
    remove_draft_file,
    save_draft,
    submit_draft,
    submit_evidence,
)

__all__ = [
    "CriterionSpec",
    "LevelSpec",
    "add_criterion",
    "add_level",
    "add_to_cohort",
    "attempt_problem",
    "calibrate",
    "change_grade",
    "check_grade_rows",
    "copy_rubric",
    "create_cohort",
    "create_task",
    "grade_submission",
    "import_grades",
    "moderate_submission",
    "move_criterion",
    "move_level",
    "record_completion",
    "record_recognition",
    "remove_criterion",
    "remove_draft_file",
    "remove_from_cohort",
    "remove_level",
    "run_grade_import",
    "save_draft",
    "second_mark_submission",
    "set_anchor",
    "set_marking_policy",
    "submit_draft",
    "start_grade_import",
    "submit_evidence",
    "update_cell",
    "update_criterion",
    "update_level_name",
    "update_rubric_policy",
    "update_task",
    "void_completion",
]
