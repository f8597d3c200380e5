"""Public endpoints that do real work are limited per client and minute, and
the client is the address a trusted proxy saw, never one the client names."""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts import ratelimit


@pytest.mark.parametrize(
    ("proxies", "forwarded", "client"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged first entry
        (2, "6.6.6.6, 203.0.113.7, 10.1.1.1", "203.0.113.7"),
        (3, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies
        (1, "", "10.0.0.9"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, client
):
    settings.CAIRN_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9")
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    assert ratelimit.client_address(request) == client


def test_each_client_has_its_own_window(settings):
    settings.CAIRN_PROXY_COUNT = 1
    factory = RequestFactory()
    one = factory.get("/", HTTP_X_FORWARDED_FOR="203.0.113.1")
    two = factory.get("/", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert [ratelimit.exceeded(one, "t", 2) for _ in range(3)] == [False, False, True]
    assert ratelimit.exceeded(two, "t", 2) is False
    assert ratelimit.exceeded(one, "other-scope", 2) is False


def test_checking_credentials_is_limited_on_the_page_and_the_api(
    client, settings, issued
):
    settings.CAIRN_VERIFY_PER_MINUTE = 2
    api = "/api/verify"
    body = json.dumps(issued.credential)
    statuses = [
        client.post(api, body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    refused = client.post(api, body, content_type="application/json")
    assert refused["Retry-After"] == "60"
    page = client.post(reverse("credentials:verify-upload"), {"text": body})
    assert page.status_code == 429
    assert "Too many checks" in page.text
    # Another client (behind the same trusted proxy) is not held back.
    settings.CAIRN_PROXY_COUNT = 1
    other = client.post(
        api, body, content_type="application/json", HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert other.status_code == 200


@pytest.mark.django_db
def test_guessing_passwords_is_slowed_per_address_and_per_username(client, settings):
    from tests.factories import UserFactory

    settings.CAIRN_LOGINS_PER_MINUTE = 3
    settings.CAIRN_PROXY_COUNT = 1
    user = UserFactory(username="amira")
    url = reverse("login")

    def attempt(password, address):
        return client.post(
            url,
            {"username": "Amira", "password": password},
            HTTP_X_FORWARDED_FOR=address,
        )

    assert [attempt("wrong", "203.0.113.1").status_code for _ in range(3)] == [200] * 3
    refused = attempt("pw", "203.0.113.1")  # even the right password, for now
    assert refused.status_code == 429
    assert "Too many attempts to log in" in refused.text
    assert "_auth_user_id" not in client.session
    # Another address trying the same name is held back too ...
    assert attempt("pw", "203.0.113.2").status_code == 429
    # ... while another name from a fresh address logs in.
    other = UserFactory(username="bruno")
    response = client.post(
        url,
        {"username": other.username, "password": "pw"},
        HTTP_X_FORWARDED_FOR="203.0.113.3",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    assert user.pk != other.pk
