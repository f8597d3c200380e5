"""The webhooks API: the pages' actions for machines, under the same rules."""

import pytest

from accounts.models import AuditEntry
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.webhooks import events
from tests.integrations.webhooks.test_views import ROLES, people  # noqa: F401


def _base(cast) -> str:
    return f"/api/organizations/{cast.organization.slug}/webhooks/"


def test_an_admin_adds_a_webhook_and_gets_its_secret_once(client, cast, receiver):
    client.force_login(cast["admin"])
    response = client.post(
        _base(cast),
        {"url": receiver.url, "events": [events.AWARD_ISSUED], "description": "SIS"},
        content_type="application/json",
    )
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["secret_hint"] == created["secret"][-4:]
    listed = client.get(_base(cast)).json()
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0]
    assert AuditEntry.objects.filter(action="webhook.created").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com/", "events": ["award.issued"]}, "url"),
        ({"url": "https://192.168.0.4/", "events": ["award.issued"]}, "url"),
        ({"url": "https://93.184.215.14/", "events": []}, "events"),
        ({"url": "https://93.184.215.14/", "events": ["award.eaten"]}, "events"),
        ({"events": ["award.issued"]}, "url"),
    ],
)
def test_a_bad_webhook_is_refused_with_400_and_nothing_saved(client, cast, body, field):
    client.force_login(cast["admin"])
    response = client.post(_base(cast), body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_only_admins_use_the_webhooks_api(client, people, subscribed, role, status):  # noqa: F811
    client.force_login(people[role])
    assert client.get(_base(people)).status_code == status
    detail = f"{_base(people)}{subscribed.uuid}/"
    assert client.get(detail).status_code == status
    response = client.post(f"{detail}pause/")
    assert response.status_code == status
    subscribed.refresh_from_db()
    assert subscribed.is_paused is (status == 200)


def test_edit_log_test_resend_and_delete(
    client, cast, subscribed, receiver, django_capture_on_commit_callbacks
):
    client.force_login(cast["admin"])
    detail = f"{_base(cast)}{subscribed.uuid}/"
    patched = client.patch(
        detail, {"events": [events.PATHWAY_COMPLETED]}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["events"] == [events.PATHWAY_COMPLETED]
    assert patched.json()["url"] == receiver.url
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"{detail}test/")
    assert sent.status_code == 202
    log = client.get(f"{detail}deliveries/", {"status": "delivered"}).json()
    assert log["count"] == 1
    assert log["results"][0]["event_type"] == events.PING
    assert log["results"][0]["response_code"] == 200
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"{detail}deliveries/{sent.json()['id']}/resend/")
    assert again.status_code == 202
    assert len(receiver.received) == 2
    assert client.get(f"{detail}deliveries/", {"status": "failed"}).json()["count"] == 0
    rotated = client.post(f"{detail}rotate-secret/").json()["secret"]
    assert rotated != receiver.secret
    assert client.delete(detail).status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_another_organizations_webhook_is_not_found(client, cast, subscribed):
    from curriculum import services as curriculum
    from tests import factories

    outsider = factories.UserFactory()
    curriculum.add_member(cast.other_organization, outsider, role="admin")
    client.force_login(outsider)
    url = (
        f"/api/organizations/{cast.other_organization.slug}/webhooks/{subscribed.uuid}/"
    )
    assert client.get(url).status_code == 404
    assert client.delete(url).status_code == 404
    assert WebhookSubscription.objects.exists()
