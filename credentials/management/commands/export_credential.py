import json
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credentials.models import Award


class Command(BaseCommand):
    help = (
        "Print an award's signed credential as JSON, or write every award to "
        "DIR/<uuid>.json with --all --out DIR."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("uuid", nargs="?", help="the award's identifier")
        parser.add_argument("--all", action="store_true", help="export every award")
        parser.add_argument("--out", type=Path, help="directory for --all")

    def handle(self, *args, uuid: str | None, all: bool, out: Path | None, **options):
        if all:
            if uuid or out is None:
                raise CommandError("Use --all with --out DIR and no identifier.")
            out.mkdir(parents=True, exist_ok=True)
            count = 0
            for award in Award.objects.only("uuid", "credential").iterator(
                chunk_size=500
            ):
                (out / f"{award.uuid}.json").write_text(
                    json.dumps(award.credential, indent=2, ensure_ascii=False) + "\n"
                )
                count += 1
            self.stderr.write(f"Wrote {count} credential{'s' * (count != 1)} to {out}.")
            return
        if not uuid:
            raise CommandError("Give an award identifier, or --all --out DIR.")
        try:
            award = Award.objects.get(uuid=_parse(uuid))
        except Award.DoesNotExist as missing:
            raise CommandError(f"No award has the identifier {uuid}.") from missing
        self.stdout.write(json.dumps(award.credential, indent=2, ensure_ascii=False))


def _parse(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.removeprefix("urn:uuid:"))
    except ValueError as error:
        raise CommandError(f"{value!r} is not an award identifier (a UUID).") from error
