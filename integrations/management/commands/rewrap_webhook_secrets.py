from django.core.management.base import BaseCommand, CommandError

from credentials import keystore
from integrations.webhooks import services


class Command(BaseCommand):
    help = (
        "Seal every webhook signing secret again with the first "
        "CAIRN_KEY_ENCRYPTION_KEY. Set it to 'NEW,OLD' first; afterwards OLD can "
        "be dropped (run rewrap_signing_keys too)."
    )

    def handle(self, *args, **options) -> None:
        try:
            count = services.rewrap_secrets()
        except keystore.KeyDecryptionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sealed {count} webhook secret(s) with the first key.")
