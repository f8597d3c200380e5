"""Deliveries through a real `celery worker` process on Redis: the first attempt
fails, the worker retries at the backoff's time, the receiver gets the event."""

import pytest

from integrations.models import WebhookDelivery
from integrations.webhooks import events, services
from tests.test_e2e_worker import wait_for, worker  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quick_retries(monkeypatch):
    # Read by the worker process at start (the worker fixture copies os.environ).
    monkeypatch.setenv("CAIRN_WEBHOOKS_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("CAIRN_WEBHOOKS_ALLOW_LOOPBACK", "1")


def test_a_real_worker_retries_until_the_receiver_recovers(
    quick_retries,
    worker,  # noqa: F811 (the real-worker fixture)
    cast,
    receiver,
    tmp_path,
):
    receiver.plan = [503]
    subscription, receiver.secret = services.create_subscription(
        cast.organization,
        by=cast["admin"],
        url=receiver.url,
        events=list(events.EVENT_TYPES),
    )
    services.send_test_event(subscription, by=cast["admin"])  # committed: queued
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.DELIVERED
        ).first(),
        timeout=120,
        what="the delivery to succeed; worker log:\n"
        + (tmp_path / "worker.log").read_text(),
    )
    assert delivery.attempts == 2
    assert delivery.response_code == 200
    assert [r.headers["cairn-delivery"] for r in receiver.received] == [
        str(delivery.uuid)
    ] * 2
    assert {r.verdict for r in receiver.received} == {"verified"}
