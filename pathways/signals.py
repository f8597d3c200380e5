"""Facts this app announces to the apps above it, sent after commit."""

from django.dispatch import Signal

# kwargs: completion_id, learner_id
pathway_completed = Signal()

# A pathway completion no longer stands (something it stacked on was voided):
# the credentials app revokes its award. kwargs: completion_id, learner_id
pathway_voided = Signal()
