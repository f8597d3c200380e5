"""Facts this app announces to the apps above it, sent after commit."""

from django.dispatch import Signal

# kwargs: completion_id, learner_id
pathway_completed = Signal()
