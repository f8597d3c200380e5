from celery import shared_task

from curriculum import framework_services
from curriculum.models import FrameworkImport


@shared_task
def run_framework_import(import_id: int) -> str:
    """Import an uploaded framework file; safe to run twice (the job is claimed)."""
    job = FrameworkImport.objects.get(pk=import_id)
    return framework_services.run_framework_import(job).status
