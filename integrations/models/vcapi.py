"""Credentials other systems had Cairn sign through the W3C VC API
(docs/decisions/0018-vc-api.md): not awards (no learner, no completion), but
signed with the organization's key and given status entries like them."""

import uuid

from django.db import models

from accounts.models import Organization
from credentials.models import SigningKey, StatusList


class IssuedCredential(models.Model):
    """One credential issued through `POST …/vc-api/credentials/issue`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="vc_api_credentials"
    )
    # The credential's own `id` (a URL), by which `…/credentials/status` names it.
    credential_id = models.CharField(max_length=2000)
    credential = models.JSONField()
    signing_key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    revocation_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+"
    )
    revocation_index = models.PositiveIntegerField()
    suspension_list = models.ForeignKey(
        StatusList, on_delete=models.PROTECT, related_name="+"
    )
    suspension_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "credential_id"],
                name="vc_api_credential_id_unique_per_organization",
            )
        ]

    def __str__(self) -> str:
        return self.credential_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None
