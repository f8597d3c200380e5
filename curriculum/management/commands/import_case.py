from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from curriculum import case, framework_services


class Command(BaseCommand):
    help = "Import a CASE 1.0/1.1 CFPackage JSON file as a new competency framework."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--org", required=True, help="the organization's slug")

    def handle(self, *args, path: Path, org: str, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            result = framework_services.import_case_package(
                organization, by=None, raw=raw
            )
        except case.CaseError as error:
            raise CommandError(f"{path}: {error} (nothing was imported)") from error
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        framework = result.framework
        self.stdout.write(
            f"Imported “{framework}” (id {framework.pk}): "
            f"{framework.competencies.count()} items, "
            f"{framework.associations.count()} associations."
        )
