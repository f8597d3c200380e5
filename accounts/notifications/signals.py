"""Facts about notifications the apps above may cache, sent after commit."""

from django.dispatch import Signal

# Every unread notification of a user was marked read in one statement (no
# row saved one by one). kwargs: user_id
all_read = Signal()
