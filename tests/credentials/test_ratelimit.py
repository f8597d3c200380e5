"""Public endpoints that do real work are limited per client and minute, and
the client is the address a trusted proxy saw, never one the client names."""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from curriculum import ratelimit


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
