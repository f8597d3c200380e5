"""Offers of a learner's award to an OpenID4VCI wallet (integrations/oid4vci).

An offer's secrets (the credential_offer_uri's key, the pre-authorized code and
the transaction code) are derived from its uuid and Cairn's SECRET_KEY, so the
page can show them again while the offer is open and a copy of the database
alone redeems nothing; only a hash of the code is kept, to find the offer when a
wallet presents it (docs/decisions/0019-openid4vci.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class CredentialOffer(models.Model):
    """A learner's pre-authorized-code offer of one award to an OpenID4VCI
    wallet: the QR code and deep link carry its address; a wallet redeems the
    code for an access token once and receives the credential once."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    award = models.ForeignKey(
        "credentials.Award", on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    asks_tx_code = models.BooleanField(default=True)
    wrong_tx_codes = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    # The pre-authorized code exchanged for an access token (once).
    redeemed_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # What was delivered: the copy of the award bound to the wallet's DID.
    delivered_at = models.DateTimeField(null=True, blank=True)
    wallet_credential = models.OneToOneField(
        "credentials.WalletCredential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The c_nonce the wallet's proof answered: spent once, across all offers.
    proof_nonce = models.CharField(max_length=200, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="credential_offer_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Wallet offer of award {self.award_id}"
