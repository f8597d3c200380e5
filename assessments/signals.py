"""Facts this app announces to the apps above it, sent after commit."""

from django.dispatch import Signal

# kwargs: completion_id, learner_id
module_completed = Signal()

# A completion no longer stands (a grade overturned on appeal): the apps above
# revoke its award and re-evaluate what stacked on it. kwargs: completion_id, learner_id
completion_voided = Signal()

# A finalised grade behind a live completion was changed (an appeal) and the
# module is still met: the apps above bring what they issued up to date with the
# new levels. kwargs: completion_id, grade_id, learner_id
completion_regraded = Signal()

# A grade was decided and the learner can see it (first marking, second marking
# or moderation). kwargs: grade_id, learner_id
grade_released = Signal()
