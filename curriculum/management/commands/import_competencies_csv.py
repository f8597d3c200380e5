from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organization
from curriculum import framework_services


class Command(BaseCommand):
    help = (
        "Add the competencies of a CSV file to a framework (made if new). Columns: "
        + ", ".join(framework_services.CSV_COLUMNS)
        + "; ESCO and O*NET headings are read too."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument("--framework", required=True, help="the framework's name")

    def handle(self, *args, path: Path, org: str, framework: str, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org!r}.")
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            result = framework_services.import_competencies_csv(
                organization, by=None, raw=raw, framework_name=framework
            )
        except framework_services.CsvError as error:
            raise CommandError(f"{path}: {error} (nothing was imported)") from error
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"Imported into “{result.framework}” (id {result.framework.pk}): "
            f"{result.framework.competencies.count()} competencies in all."
        )
