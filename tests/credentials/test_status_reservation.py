"""Status entries are reserved in a short transaction of their own before
signing (issue 17): concurrent reservations and issuers never share an index,
a full list gives way to a new one, and a completion delivered to several
signers at once still gets one award."""

import pytest
from django.db import connection

from assessments.models import ModuleCompletion
from credentials import statuslist, tasks
from credentials.models import Award, StatusList
from credentials.services import keys, status
from tests import builders
from tests.credentials.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def popcount(bits: bytes) -> int:
    return sum(bin(byte).count("1") for byte in bits)


def test_concurrent_reservations_never_share_an_index():
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    cast = builders.make_cast()
    organization = cast.organization
    did = keys.issuer_did(keys.get_signing_key(organization))
    reserved: list[status.StatusEntries] = []

    def reserve(count: int) -> None:
        for _ in range(5):
            reserved.extend(
                status.reserve_status_entries(
                    organization, issuer_did=did, suspension=True, count=count
                )
            )

    assert at_once(reserve, [1, 1, 7, 7]) == []

    assert len(reserved) == 5 * (1 + 1 + 7 + 7)
    revocation = {(e.revocation_list.pk, e.revocation_index) for e in reserved}
    suspension = {(e.suspension_list.pk, e.suspension_index) for e in reserved}
    assert len(revocation) == len(suspension) == len(reserved)
    # One list of each purpose, which records every index handed out.
    for purpose in StatusList.Purpose.values:
        (listed,) = StatusList.objects.filter(
            organization=organization, purpose=purpose
        )
        assert listed.assigned_count == len(reserved)
        assert popcount(bytes(listed.assigned)) == len(reserved)
    # Drawn at random, not one after the other.
    indexes = sorted(index for _, index in revocation)
    assert indexes != list(range(indexes[0], indexes[0] + len(indexes)))


def test_a_full_list_gives_way_to_a_new_one():
    cast = builders.make_cast()
    organization = cast.organization
    did = keys.issuer_did(keys.get_signing_key(organization))
    (first,) = status.reserve_status_entries(
        organization, issuer_did=did, suspension=False
    )
    StatusList.objects.filter(pk=first.revocation_list.pk).update(
        assigned_count=status.FILL_LIMIT - 1
    )

    entries = status.reserve_status_entries(
        organization, issuer_did=did, suspension=False, count=2
    )

    lists = StatusList.objects.filter(organization=organization).order_by("pk")
    assert lists.count() == 2
    assert {e.revocation_list.pk for e in entries} == {lists[1].pk}
    assert lists[1].assigned_count == 2
    assert lists[1].credential is not None  # signed, as a verifier fetches it
    assert statuslist.get_bit(bytes(lists[0].assigned), first.revocation_index)


def test_signers_at_once_never_share_an_index_and_give_one_award_per_completion(
    broker_down,
):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    cast = builders.make_cast()
    built = builders.make_pathway(cast, codes=("R-101", "R-102"))
    for learner in builders.enrol_many(cast, built.version, 6, prefix="reserve"):
        builders.submit_and_pass(built.tasks[0], learner, cast["faculty"])
    completions = list(
        ModuleCompletion.objects.filter(
            version__module__organization=cast.organization
        ).values_list("pk", flat=True)
    )
    assert len(completions) == 6

    # Every completion delivered twice (at-least-once delivery), all at once.
    assert (
        at_once(
            lambda pk: tasks.issue_module_award.apply(args=[pk], throw=True),
            completions * 2,
        )
        == []
    )

    awards = Award.objects.filter(organization=cast.organization)
    assert sorted(awards.values_list("module_completion", flat=True)) == sorted(
        completions
    )
    entries = list(awards.values_list("revocation_list", "revocation_index"))
    assert len(set(entries)) == len(completions)
    # A loser's reservation is left unused: never more than one per delivery.
    (listed,) = StatusList.objects.filter(organization=cast.organization)
    assert len(completions) <= listed.assigned_count <= 2 * len(completions)
