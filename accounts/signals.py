"""Facts about accounts the apps above may cache, sent after commit."""

from django.dispatch import Signal

# Roles were granted to a user in one statement (no Membership saved one by
# one, as a single sign-in's role mapping does). kwargs: user_id
memberships_granted = Signal()
