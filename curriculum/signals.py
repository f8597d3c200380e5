"""Facts this app announces to the apps above it, sent after commit."""

from django.dispatch import Signal

# A module or pathway version was published (curriculum/services.py
# publish_version); the sender is the version's model. kwargs: version_id
version_published = Signal()
