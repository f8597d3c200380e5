"""Facts the credentials app announces to the apps above it, sent after commit."""

from django.dispatch import Signal

# kwargs: award_id
award_issued = Signal()

# A credential's status changed (credentials/services/revocation.py). kwargs: award_id
award_revoked = Signal()
award_suspended = Signal()
award_reinstated = Signal()
