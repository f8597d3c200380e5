from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from credentials import keystore
from credentials.models import SigningKey


class Command(BaseCommand):
    help = (
        "Seal every signing key again with the first CAIRN_KEY_ENCRYPTION_KEY. "
        "Set it to 'NEW,OLD' first; afterwards OLD can be dropped."
    )

    def handle(self, *args, **options) -> None:
        count = 0
        with transaction.atomic():
            for key in SigningKey.objects.select_for_update().order_by("pk"):
                try:
                    seed = key.open_seed()
                except keystore.KeyDecryptionError as error:
                    raise CommandError(str(error)) from error
                key.encrypted_seed = keystore.seal_seed(
                    seed, public_multibase=key.public_multibase
                )
                key.save(update_fields=["encrypted_seed"])
                count += 1
        self.stdout.write(f"Sealed {count} signing key(s) with the first key.")
