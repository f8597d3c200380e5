"""Deliveries to a real HTTP receiver on loopback: what Cairn sends, how it signs,
retries, pauses and sends again. Times are passed to the services explicitly."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import AuditEntry
from credentials import services as credentials
from credentials.models import Award
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from integrations.webhooks import events, services, signing, tasks
from pathways import services as pathways
from tests import builders
from tests.integrations.webhooks.receiver import readme_verifier

Status = WebhookDelivery.Status


@pytest.fixture
def award(cast, pathway, subscribed, receiver, django_capture_on_commit_callbacks):
    """A module award issued through the real path while the receiver listens."""
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    return Award.objects.get()


def _types(receiver) -> list[str]:
    return [r.headers["cairn-event"] for r in receiver.received]


def test_a_graded_and_issued_module_is_announced_signed(cast, award, receiver):
    assert _types(receiver) == [events.GRADE_RELEASED, events.AWARD_ISSUED]
    assert {r.verdict for r in receiver.received} == {"verified"}
    issued = receiver.received[1].json
    assert issued["type"] == "award.issued"
    assert issued["organization"]["slug"] == cast.organization.slug
    assert issued["data"]["award"]["id"] == str(award.uuid)
    assert issued["data"]["award"]["status"] == "active"
    assert issued["data"]["award"]["url"].endswith(f"/credentials/{award.uuid}/")
    assert issued["data"]["learner"]["email"] == cast["learner"].email
    grade = receiver.received[0].json["data"]
    assert grade["grade"]["passed"] is True
    assert grade["module"]["code"] == "A-101"
    deliveries = WebhookDelivery.objects.order_by("created_at", "pk")
    assert [(d.status, d.response_code, d.attempts) for d in deliveries] == [
        (Status.DELIVERED, 200, 1),
        (Status.DELIVERED, 200, 1),
    ]
    assert receiver.received[1].headers["cairn-delivery"] == str(deliveries[1].uuid)


def test_the_standard_webhooks_library_verifies_a_delivery(award, receiver):
    delivered = receiver.received[1]
    payload = Webhook(receiver.secret).verify(delivered.body, delivered.headers)
    assert payload["type"] == "award.issued"
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(signing.format_secret(signing.new_secret())).verify(
            delivered.body, delivered.headers
        )


def test_the_readme_verifier_refuses_replays_and_tampering(award, receiver):
    verify = readme_verifier()
    delivered = receiver.received[1]
    sent_at = int(delivered.headers["webhook-timestamp"])
    verify(receiver.secret, delivered.headers, delivered.body, now=sent_at + 299)
    with pytest.raises(ValueError, match="replay"):
        verify(receiver.secret, delivered.headers, delivered.body, now=sent_at + 301)
    with pytest.raises(ValueError, match="does not match"):
        verify(
            receiver.secret,
            delivered.headers,
            delivered.body.replace(b'"active"', b'"revoked"'),
            now=sent_at,
        )
    other = signing.format_secret(signing.new_secret())
    with pytest.raises(ValueError, match="does not match"):
        verify(other, delivered.headers, delivered.body, now=sent_at)


def test_a_replayed_delivery_is_refused_by_the_receiver(award, receiver):
    """The receiver's clock has moved on: the same signed request is a replay."""
    import urllib.error
    import urllib.request

    delivered = receiver.received[1]
    receiver.now = int(delivered.headers["webhook-timestamp"]) + 3600
    request = urllib.request.Request(
        receiver.url, data=delivered.body, headers=delivered.headers, method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
    assert "replay" in receiver.received[-1].verdict


def test_a_receiver_that_fails_then_recovers_gets_the_event_after_retries(
    cast, award, receiver, django_capture_on_commit_callbacks
):
    receiver.plan = [500, 503]
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        credentials.revoke_award(award, by=cast["admin"], reason="Issued in error.")
    delivery = WebhookDelivery.objects.get(event__type=events.AWARD_REVOKED)
    assert delivery.status == Status.RETRYING
    assert (delivery.attempts, delivery.response_code) == (1, 500)
    assert "answered 500" in delivery.last_error
    first_retry = delivery.next_attempt_at
    assert timedelta(seconds=60) <= first_retry - start < timedelta(seconds=70)
    assert WebhookSubscription.objects.get().failing_since is not None
    # Not due a second before its time; the sweep finds it when it is.
    assert delivery.pk not in services.due_delivery_ids(first_retry - timedelta(1))
    assert delivery.pk in services.due_delivery_ids(first_retry)

    with django_capture_on_commit_callbacks(execute=True):
        receiver.now = first_retry.timestamp()
        services.attempt_delivery(delivery.pk, now=first_retry)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Status.RETRYING,
        2,
        503,
    )
    second_retry = delivery.next_attempt_at
    assert second_retry - first_retry == timedelta(seconds=120)  # doubled

    # A second run of the same attempt (a task delivered twice) does nothing.
    assert services.attempt_delivery(delivery.pk, now=first_retry) is None

    with django_capture_on_commit_callbacks(execute=True):
        receiver.now = second_retry.timestamp()
        services.attempt_delivery(delivery.pk, now=second_retry)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        Status.DELIVERED,
        3,
        200,
    )
    assert delivery.delivered_at == second_retry
    assert delivery.last_error == ""
    attempts = [
        r for r in receiver.received if r.headers["cairn-event"] == "award.revoked"
    ]
    assert len(attempts) == 3
    assert {r.headers["cairn-delivery"] for r in attempts} == {str(delivery.uuid)}
    assert {r.verdict for r in attempts} == {"verified"}
    assert attempts[-1].json["data"]["award"]["status"] == "revoked"
    assert WebhookSubscription.objects.get().failing_since is None


def test_a_delivery_is_given_up_after_the_last_attempt_and_can_be_sent_again(
    cast, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    settings.CAIRN_WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.plan = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(subscribed, by=cast["admin"])
    delivery.refresh_from_db()
    later = delivery.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        receiver.now = later.timestamp()
        services.attempt_delivery(delivery.pk, now=later)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Status.FAILED,
        2,
        None,
    )
    receiver.now = None
    with django_capture_on_commit_callbacks(execute=True):
        services.resend_delivery(delivery, by=cast["admin"])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.DELIVERED, 1)
    assert len(receiver.received) == 3
    assert receiver.received[-1].json["type"] == "webhook.test"
    entry = AuditEntry.objects.get(action="webhook.delivery_resent")
    assert entry.actor == cast["admin"]
    assert entry.data["previous_status"] == "failed"


def test_a_subscription_failing_for_days_is_paused_and_its_admins_told(
    cast, subscribed, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.plan = [500] * 20
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(subscribed, by=cast["admin"])
    for days in (1, 2, 3):
        when = start + timedelta(days=days)
        with django_capture_on_commit_callbacks(execute=True):
            receiver.now = when.timestamp()
            services.attempt_delivery(delivery.pk, now=when)
        subscribed.refresh_from_db()
        assert not subscribed.is_paused, days  # not yet three full days
    when = start + timedelta(days=3, hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        receiver.now = when.timestamp()
        services.attempt_delivery(delivery.pk, now=when)
    subscribed.refresh_from_db()
    assert subscribed.is_paused
    assert subscribed.paused_at == when
    assert "more than 3 days" in subscribed.pause_reason
    assert [m.to for m in mailoutbox] == [[cast["admin"].email]]
    assert subscribed.url in mailoutbox[0].body
    paused = AuditEntry.objects.get(action="webhook.paused")
    assert paused.actor is None

    # Held while paused: not due, and a new event waits for it too.
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING
    much_later = when + timedelta(days=2)
    assert services.due_delivery_ids(much_later) == []
    assert services.attempt_delivery(delivery.pk, now=much_later) is None
    sent = len(receiver.received)
    with django_capture_on_commit_callbacks(execute=True):
        builders.make_module(cast, "D-104")  # version.published
    waiting = WebhookDelivery.objects.get(event__type=events.VERSION_PUBLISHED)
    assert waiting.status == Status.PENDING
    assert len(receiver.received) == sent

    # The receiver is fixed; resuming sends what waited, oldest first.
    receiver.plan, receiver.now = [], None
    with django_capture_on_commit_callbacks(execute=True):
        services.resume_subscription(subscribed, by=cast["admin"])
    subscribed.refresh_from_db()
    assert not subscribed.is_paused
    assert subscribed.failing_since is None
    assert _types(receiver)[sent:] == [events.PING, events.VERSION_PUBLISHED]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        Status.DELIVERED
    }
    assert receiver.received[-1].json["data"]["version"]["code"] == "D-104"


def test_a_success_ends_the_failing_streak(
    cast, subscribed, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.plan = [500, 200, 500]
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_test_event(subscribed, by=cast["admin"])
        second = services.send_test_event(subscribed, by=cast["admin"])
    assert WebhookDelivery.objects.get(pk=second.pk).status == Status.DELIVERED
    when = start + timedelta(days=4)
    receiver.now = when.timestamp()
    services.attempt_delivery(first.pk, now=when)
    subscribed.refresh_from_db()
    # Four days after the first failure, but a delivery succeeded in between.
    assert not subscribed.is_paused
    assert subscribed.failing_since == when
    assert mailoutbox == []


def test_a_test_event_reaches_a_paused_subscription(
    cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    services.pause_subscription(subscribed, by=cast["admin"], reason="Maintenance.")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(subscribed, by=cast["admin"])
    assert _types(receiver) == [events.PING]
    assert receiver.received[0].json["data"]["sent_by"] == cast["admin"].username


def test_the_sweep_sends_deliveries_whose_task_was_lost(cast, subscribed, receiver):
    # No on-commit callbacks run: the delivery task is lost, as in a broker outage.
    services.send_test_event(subscribed, by=cast["admin"])
    assert receiver.received == []
    assert tasks.send_due_deliveries() == 1
    assert _types(receiver) == [events.PING]
    assert WebhookDelivery.objects.get().status == Status.DELIVERED
    assert tasks.send_due_deliveries() == 0


def test_every_event_of_a_pathway_reaches_the_receiver(
    cast, pathway, subscribed, receiver, django_capture_on_commit_callbacks
):
    builders.with_suspension_entries(cast)
    with django_capture_on_commit_callbacks(execute=True):
        pathways.enrol(cast["learner"], pathway.version)
        for task in pathway.tasks:
            builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    received = _types(receiver)
    assert received.count(events.GRADE_RELEASED) == 3
    assert received.count(events.PATHWAY_COMPLETED) == 1
    assert received.count(events.AWARD_ISSUED) == 4  # three modules, one pathway
    completed = next(
        r.json for r in receiver.received if r.json["type"] == "pathway.completed"
    )
    assert completed["data"]["pathway"]["code"] == "PATH"
    assert completed["data"]["learner"]["id"] == cast["learner"].pk

    award = Award.objects.get(kind=Award.Kind.PATHWAY)
    with django_capture_on_commit_callbacks(execute=True):
        credentials.suspend_award(award, by=cast["admin"], reason="Under review.")
    with django_capture_on_commit_callbacks(execute=True):
        credentials.reinstate_award(award, by=cast["admin"], reason="Cleared.")
    suspended, reinstated = receiver.received[-2].json, receiver.received[-1].json
    assert suspended["type"] == "award.suspended"
    assert suspended["data"]["award"]["status"] == "suspended"
    assert suspended["data"]["award"]["suspension_reason"] == "Under review."
    assert reinstated["type"] == "award.reinstated"
    assert reinstated["data"]["award"]["status"] == "active"
    assert {r.verdict for r in receiver.received} == {"verified"}


def test_only_subscribed_events_of_the_organization_are_recorded(
    cast, pathway, receiver, django_capture_on_commit_callbacks
):
    subscription, receiver.secret = services.create_subscription(
        cast.organization,
        by=cast["admin"],
        url=receiver.url,
        events=[events.AWARD_REVOKED],
    )
    services.create_subscription(
        cast.other_organization,
        by=cast["outside_faculty"],
        url=receiver.url + "/other",
        events=list(events.EVENT_TYPES),
    )
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    assert receiver.received == []
    assert not WebhookEvent.objects.exists()  # nobody listened: nothing stored
    with django_capture_on_commit_callbacks(execute=True):
        credentials.revoke_award(Award.objects.get(), by=cast["admin"], reason="Error.")
    assert _types(receiver) == [events.AWARD_REVOKED]
    assert receiver.received[0].json["organization"]["slug"] == cast.organization.slug
    assert WebhookDelivery.objects.get().subscription == subscription


def test_a_url_that_points_inside_the_network_is_refused_at_delivery(
    cast, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    """Allowed when it was saved (loopback in tests), refused once it is not."""
    settings.CAIRN_WEBHOOKS_ALLOW_LOOPBACK = False
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(subscribed, by=cast["admin"])
    delivery.refresh_from_db()
    assert receiver.received == []
    assert delivery.status == Status.RETRYING
    assert delivery.response_code is None
    assert "https" in delivery.last_error


def test_the_secret_is_sealed_and_survives_a_change_of_encryption_key(
    cast, subscribed, receiver, settings, django_capture_on_commit_callbacks
):
    shown = receiver.secret
    assert signing.parse_secret(shown) not in bytes(subscribed.sealed_secret)
    assert subscribed.secret_hint == shown[-4:]
    old = settings.CAIRN_KEY_ENCRYPTION_KEY
    settings.CAIRN_KEY_ENCRYPTION_KEY = f"a new key-encryption key,{old}"
    call_command("rewrap_webhook_secrets", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.CAIRN_KEY_ENCRYPTION_KEY = "a new key-encryption key"
    subscribed.refresh_from_db()
    assert services.open_secret(subscribed) == signing.parse_secret(shown)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(subscribed, by=cast["admin"])
    assert receiver.received[0].verdict == "verified"


def test_a_new_secret_signs_from_the_next_attempt_on(
    cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    old = receiver.secret
    receiver.secret = services.rotate_secret(subscribed, by=cast["admin"])
    assert receiver.secret != old
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(subscribed, by=cast["admin"])
    assert receiver.received[0].verdict == "verified"
    assert AuditEntry.objects.filter(action="webhook.secret_rotated").exists()


def test_an_answer_that_is_not_http_is_a_failed_attempt(
    cast, subscribed, django_capture_on_commit_callbacks
):
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))

    def answer_nonsense():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
        connection.close()

    threading.Thread(target=answer_nonsense, daemon=True).start()
    port = listener.getsockname()[1]
    services.update_subscription(
        subscribed,
        by=cast["admin"],
        url=f"http://127.0.0.1:{port}/",
        events=subscribed.events,
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.send_test_event(subscribed, by=cast["admin"])
    listener.close()
    delivery.refresh_from_db()
    assert delivery.status == Status.RETRYING
    assert "did not answer in HTTP" in delivery.last_error


def test_publishing_a_pathway_version_is_announced(
    cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        builders.make_pathway(cast, codes=("E-501",))
    published = [
        r.json for r in receiver.received if r.json["type"] == "version.published"
    ]
    assert [
        (p["data"]["version"]["kind"], p["data"]["version"]["code"]) for p in published
    ] == [
        ("module", "E-501"),
        ("pathway", "PATH"),
    ]
    assert published[1]["data"]["version"]["changelog"] == "First release."
    assert {r.verdict for r in receiver.received} == {"verified"}
