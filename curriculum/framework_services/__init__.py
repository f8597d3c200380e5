"""Every change to competency frameworks: authoring, CASE and CSV imports, and
the imports started from the browser."""

from curriculum.framework_services.authoring import (
    BATCH_SIZE,
    ImportResult,
    add_competency,
    create_framework,
    ensure_framework_editable,
    item_uri,
    publish_framework,
    remove_competency,
    update_competency,
    update_framework,
)
from curriculum.framework_services.case_import import import_case_package
from curriculum.framework_services.csv_import import (
    CSV_COLUMNS,
    CsvError,
    import_competencies_csv,
)
from curriculum.framework_services.jobs import (
    import_progress,
    progress_key,
    run_framework_import,
    start_framework_import,
)
from curriculum.framework_services.lifecycle import (
    UpdatePlan,
    apply_case_update,
    delete_framework,
    framework_uses,
    plan_case_update,
    stash_case_update,
    stashed_case_update,
)

__all__ = [
    "BATCH_SIZE",
    "CSV_COLUMNS",
    "CsvError",
    "ImportResult",
    "UpdatePlan",
    "add_competency",
    "apply_case_update",
    "delete_framework",
    "framework_uses",
    "plan_case_update",
    "stash_case_update",
    "stashed_case_update",
    "create_framework",
    "ensure_framework_editable",
    "import_case_package",
    "import_competencies_csv",
    "import_progress",
    "item_uri",
    "progress_key",
    "publish_framework",
    "remove_competency",
    "run_framework_import",
    "start_framework_import",
    "update_competency",
    "update_framework",
]
