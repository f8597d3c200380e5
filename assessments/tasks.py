from celery import shared_task

from assessments import services
from assessments.models import GradeImport


@shared_task
def run_grade_import(import_id: int) -> str:
    """Import an uploaded grades CSV; safe to run twice (the job is claimed)."""
    job = GradeImport.objects.get(pk=import_id)
    return services.run_grade_import(job).status
