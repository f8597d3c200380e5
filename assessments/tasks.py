from celery import shared_task

from assessments import services
from assessments.models import GradeImport


@shared_task
def run_grade_import(import_id: int) -> str:
    """Import an uploaded grades CSV; safe to run twice (the job is claimed)."""
    job = GradeImport.objects.get(pk=import_id)
    return services.run_grade_import(job).status


@shared_task
def sweep_grade_imports() -> int:
    """Start again the imports a lost message or a dead worker left behind."""
    from assessments.services import jobs

    return jobs.sweep_grade_imports()
