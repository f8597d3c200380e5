import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum import selectors
from curriculum.models import CompetencyFramework


class Command(BaseCommand):
    help = "Export a competency framework as a CASE CFPackage JSON file."

    def add_arguments(self, parser):
        parser.add_argument("framework_id", type=int)
        parser.add_argument("--out", type=Path, help="file to write (default: stdout)")
        parser.add_argument("--case-version", choices=["1.0", "1.1"], default="1.1")

    def handle(self, *args, framework_id: int, out: str | None, **options):
        out = Path(out) if out else None
        framework = (
            CompetencyFramework.objects.select_related("organization")
            .filter(pk=framework_id)
            .first()
        )
        if framework is None:
            raise CommandError(f"No competency framework with the id {framework_id}.")
        package = selectors.case_package(
            framework, case_version=options["case_version"]
        )
        text = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        if out is None:
            self.stdout.write(text, ending="")
            return
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{out}: {error.strerror}") from error
        self.stderr.write(
            f"Wrote {len(package['CFItems'])} items and "
            f"{len(package['CFAssociations'])} associations to {out}."
        )
