from django.core.management.base import BaseCommand

from assessments.services import jobs
from credentials import services
from pathways import sweeps


class Command(BaseCommand):
    help = (
        "Queue again, from the database alone, every piece of work a lost "
        "message or a dead worker left undone (what the periodic sweeps do)."
    )

    def handle(self, *args, **options):
        found = {
            "grade imports": jobs.sweep_grade_imports(),
            "re-evaluations": sweeps.sweep_stale_reevaluations(),
            "learners to evaluate": sweeps.sweep_unevaluated(),
            "awards to issue": services.sweep_unissued(),
        }
        for what, count in found.items():
            self.stdout.write(f"{what}: {count} queued")
