from django.core.management.base import BaseCommand

from credentials import services


class Command(BaseCommand):
    help = (
        "Queue again, from the database alone, every piece of work a lost "
        "message or a dead worker left undone (what the periodic sweep does)."
    )

    def handle(self, *args, **options):
        for what, count in services.sweep().items():
            self.stdout.write(f"{what}: {count} queued")
