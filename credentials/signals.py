"""Facts the credentials app announces (nothing above it listens yet)."""

from django.dispatch import Signal

# kwargs: award_id
award_issued = Signal()
