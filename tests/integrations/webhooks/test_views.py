"""The admin's webhook pages: who may do what, forms, the log, the banner."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from integrations.webhooks import events, services
from tests import factories

ROLES = [
    ("admin", 200),
    ("site_admin", 200),
    ("designer", 403),
    ("reviewer", 403),
    ("faculty", 403),
    ("learner", 403),
    ("stranger", 403),
    ("outside_faculty", 403),
]


@pytest.fixture
def people(cast):
    site_admin = factories.UserFactory(is_superuser=True, is_staff=True)
    cast.people["site_admin"] = site_admin
    return cast


def _urls(subscription, delivery):
    slug, uuid = subscription.organization.slug, subscription.uuid
    return {
        "list": ("get", reverse("integrations:webhook-list", args=[slug])),
        "create": ("get", reverse("integrations:webhook-create", args=[slug])),
        "detail": ("get", reverse("integrations:webhook-detail", args=[slug, uuid])),
        "edit": ("get", reverse("integrations:webhook-edit", args=[slug, uuid])),
        "delete": ("get", reverse("integrations:webhook-delete", args=[slug, uuid])),
        "rotate": ("get", reverse("integrations:webhook-rotate", args=[slug, uuid])),
        "test": ("post", reverse("integrations:webhook-test", args=[slug, uuid])),
        "pause": ("post", reverse("integrations:webhook-pause", args=[slug, uuid])),
        "resend": (
            "post",
            reverse("integrations:webhook-resend", args=[slug, uuid, delivery.uuid]),
        ),
    }


@pytest.fixture
def delivered(subscribed, cast, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.send_test_event(subscribed, by=cast["admin"])


@pytest.mark.parametrize(("role", "status"), ROLES)
@pytest.mark.parametrize(
    "action",
    ["list", "create", "detail", "edit", "delete", "rotate", "test", "pause", "resend"],
)
def test_only_the_organizations_admins_manage_its_webhooks(
    client, people, subscribed, delivered, role, status, action
):
    method, url = _urls(subscribed, delivered)[action]
    client.force_login(people[role])
    response = getattr(client, method)(url)
    expected = 302 if status == 200 and method == "post" else status
    assert response.status_code == expected
    if status == 403:
        # Nothing changed for those refused.
        subscribed.refresh_from_db()
        assert not subscribed.is_paused
        assert WebhookDelivery.objects.count() == 1


def test_the_pages_ask_strangers_to_log_in(client, subscribed):
    url = reverse("integrations:webhook-list", args=[subscribed.organization.slug])
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_organizations_subscription_is_not_found(client, cast, subscribed):
    outsider = factories.UserFactory()
    from curriculum import services as curriculum

    curriculum.add_member(cast.other_organization, outsider, role="admin")
    client.force_login(outsider)
    url = reverse(
        "integrations:webhook-detail",
        args=[cast.other_organization.slug, subscribed.uuid],
    )
    assert client.get(url).status_code == 404
    own = reverse(
        "integrations:webhook-detail", args=[cast.organization.slug, subscribed.uuid]
    )
    assert client.get(own).status_code == 403


def test_adding_a_webhook_shows_the_secret_once(client, cast, receiver):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("integrations:webhook-create", args=[cast.organization.slug]),
        {
            "url": receiver.url,
            "description": "Registrar",
            "events": [events.AWARD_ISSUED, events.AWARD_REVOKED],
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("whsec_")
    assert secret in response.content.decode()
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == [events.AWARD_ISSUED, events.AWARD_REVOKED]
    assert subscription.created_by == cast["admin"]
    detail = client.get(
        reverse(
            "integrations:webhook-detail",
            args=[cast.organization.slug, subscription.uuid],
        )
    )
    assert secret not in detail.content.decode()
    assert secret[-4:] in detail.content.decode()
    entry = AuditEntry.objects.get(action="webhook.created")
    assert entry.actor == cast["admin"]
    assert entry.data["url"] == receiver.url


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"url": "http://hooks.example.com/x", "events": ["award.issued"]},
            "url",
            "https",
        ),
        ({"url": "https://10.0.0.8/x", "events": ["award.issued"]}, "url", "private"),
        (
            {"url": "https://169.254.169.254/", "events": ["award.issued"]},
            "url",
            "private",
        ),
        ({"url": "not a url", "events": ["award.issued"]}, "url", "valid URL"),
        ({"url": "https://93.184.215.14/x", "events": []}, "events", "at least one"),
        (
            {"url": "https://93.184.215.14/x", "events": ["award.eaten"]},
            "events",
            "valid",
        ),
    ],
)
def test_a_bad_webhook_is_refused_with_a_message_and_nothing_saved(
    client, cast, data, field, message
):
    client.force_login(cast["admin"])
    response = client.post(
        reverse("integrations:webhook-create", args=[cast.organization.slug]), data
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not WebhookSubscription.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook.created").exists()


def test_editing_and_deleting_are_audited(client, cast, subscribed, receiver):
    client.force_login(cast["admin"])
    slug, uuid = cast.organization.slug, subscribed.uuid
    response = client.post(
        reverse("integrations:webhook-edit", args=[slug, uuid]),
        {"url": receiver.url + "/v2", "events": [events.GRADE_RELEASED]},
    )
    assert response.status_code == 302
    subscribed.refresh_from_db()
    assert subscribed.events == [events.GRADE_RELEASED]
    updated = AuditEntry.objects.get(action="webhook.updated")
    assert updated.data["previous_url"] == receiver.url
    confirm = client.get(reverse("integrations:webhook-delete", args=[slug, uuid]))
    assert "Delete the subscription" in confirm.content.decode()
    assert WebhookSubscription.objects.exists()  # a GET only asks
    client.post(reverse("integrations:webhook-delete", args=[slug, uuid]))
    assert not WebhookSubscription.objects.exists()
    assert AuditEntry.objects.filter(action="webhook.deleted").exists()
    trail = client.get(reverse("accounts:audit", args=[slug])).content.decode()
    assert "Deleted a webhook" in trail
    assert "Edited a webhook" in trail


def test_the_log_filters_by_status_and_pages(client, cast, subscribed):
    event = WebhookEvent.objects.create(
        organization=cast.organization,
        type=events.PING,
        data={},
        occurred_at=subscribed.created_at,
    )
    for n in range(30):
        other = WebhookEvent.objects.create(
            organization=cast.organization,
            type=events.AWARD_ISSUED,
            data={"n": n},
            occurred_at=subscribed.created_at,
        )
        WebhookDelivery.objects.create(
            event=other,
            subscription=subscribed,
            status=WebhookDelivery.Status.DELIVERED,
            created_at=subscribed.created_at,
        )
    failed = WebhookDelivery.objects.create(
        event=event,
        subscription=subscribed,
        status=WebhookDelivery.Status.FAILED,
        attempts=12,
        response_code=502,
        last_error="The receiver answered 502.",
        created_at=subscribed.created_at,
    )
    client.force_login(cast["admin"])
    url = reverse(
        "integrations:webhook-detail", args=[cast.organization.slug, subscribed.uuid]
    )
    page = client.get(url)
    assert page.context["page"].paginator.count == 31
    assert len(page.context["page"]) == 25
    second = client.get(url, {"page": 2})
    assert len(second.context["page"]) == 6
    only_failed = client.get(url, {"status": "failed"})
    assert list(only_failed.context["page"]) == [failed]
    assert "The receiver answered 502." in only_failed.content.decode()
    nonsense = client.get(url, {"status": "exploded", "page": "x"})
    assert nonsense.status_code == 200
    assert nonsense.context["page"].paginator.count == 31


def test_the_log_page_does_not_grow_in_queries_with_deliveries(
    client, cast, subscribed, django_assert_max_num_queries
):
    for n in range(40):
        event = WebhookEvent.objects.create(
            organization=cast.organization,
            type=events.AWARD_ISSUED,
            data={"n": n},
            occurred_at=subscribed.created_at,
        )
        WebhookDelivery.objects.create(
            event=event, subscription=subscribed, created_at=subscribed.created_at
        )
    client.force_login(cast["admin"])
    with django_assert_max_num_queries(12):
        client.get(
            reverse(
                "integrations:webhook-detail",
                args=[cast.organization.slug, subscribed.uuid],
            )
        )
    with django_assert_max_num_queries(10):
        client.get(reverse("integrations:webhook-list", args=[cast.organization.slug]))


def test_a_paused_webhook_shows_a_banner_and_can_be_resumed(
    client, cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    services.pause_subscription(
        subscribed, by=None, reason="Every delivery failed for more than 3 days."
    )
    client.force_login(cast["admin"])
    slug = cast.organization.slug
    listing = client.get(reverse("integrations:webhook-list", args=[slug]))
    assert "Paused:" in listing.content.decode()
    detail_url = reverse("integrations:webhook-detail", args=[slug, subscribed.uuid])
    assert "Resume deliveries" in client.get(detail_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("integrations:webhook-resume", args=[slug, subscribed.uuid]),
            follow=True,
        )
    assert "Resumed" in response.content.decode()
    subscribed.refresh_from_db()
    assert not subscribed.is_paused
    again = client.post(
        reverse("integrations:webhook-resume", args=[slug, subscribed.uuid]),
        follow=True,
    )
    assert "not paused" in again.content.decode()


def test_send_again_and_test_buttons_reach_the_receiver(
    client, cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    client.force_login(cast["admin"])
    slug, uuid = cast.organization.slug, subscribed.uuid
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook-test", args=[slug, uuid]))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("integrations:webhook-resend", args=[slug, uuid, delivery.uuid])
        )
    assert [r.headers["cairn-delivery"] for r in receiver.received] == [
        str(delivery.uuid)
    ] * 2
    assert receiver.received[1].body == receiver.received[0].body
    assert {r.verdict for r in receiver.received} == {"verified"}


def test_rotating_shows_the_new_secret_once(client, cast, subscribed, receiver):
    client.force_login(cast["admin"])
    url = reverse(
        "integrations:webhook-rotate", args=[cast.organization.slug, subscribed.uuid]
    )
    assert "Make a new secret" in client.get(url).content.decode()
    response = client.post(url)
    secret = response.context["secret"]
    assert secret != receiver.secret
    subscribed.refresh_from_db()
    assert subscribed.secret_hint == secret[-4:]
