from celery import shared_task

from assessments import services
from assessments.models import GradeImport
from assessments.services import notices


@shared_task
def run_grade_import(import_id: int) -> str:
    """Import an uploaded grades CSV; safe to run twice (the job is claimed)."""
    job = GradeImport.objects.get(pk=import_id)
    return services.run_grade_import(job).status


@shared_task
def remind_overdue_grading() -> int:
    return notices.remind_overdue_grading()
