"""Facts about accounts that apps above announce their part of."""

from django.dispatch import Signal

# An admin confirmed an erasure request (request_id). The credentials app,
# which may reach every app's data, erases the person (credentials/services/
# erasure.py); accounts itself imports none of them.
erasure_confirmed = Signal()
