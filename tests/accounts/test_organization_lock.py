"""Changing an organization's roles, issuer details or roster locks its row
against the other such changes only: on PostgreSQL, awards and audit entries
that refer to the organization are written while the lock is held, instead of
waiting for a 10,000-row roster import (or meeting a deadlock)."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from accounts.audit import log_action
from accounts.models import AuditEntry
from accounts.people import services as people
from tests import builders

pytestmark = pytest.mark.django_db(transaction=True)


def _lock_within(organization, timeout: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
        people._lock(organization)


def _write_within(cast, timeout: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{timeout}'")
        # An insert referring to the organization takes FOR KEY SHARE on it.
        log_action(
            cast["admin"],
            "test.written",
            cast.organization,
            organization=cast.organization,
        )


def test_rows_referring_to_a_locked_organization_are_still_written():
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    cast = builders.make_cast()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock() -> None:
        try:
            with transaction.atomic():
                people._lock(cast.organization)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        _write_within(cast, "3s")
        assert AuditEntry.objects.filter(action="test.written").exists()
        # The other lockers still wait for the holder.
        with pytest.raises(OperationalError, match="lock timeout"):
            _lock_within(cast.organization, "500ms")
    finally:
        release.set()
        holder.join(timeout=30)
