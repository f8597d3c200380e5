"""Where deliveries may go: https to public addresses only (SSRF)."""

import pytest

from integrations.webhooks import transport


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/", "full https://"),
        ("https:///no-host", "full https://"),
        ("hooks.example.com/cairn", "full https://"),
        ("http://hooks.example.com/cairn", "Use https"),
        ("http://127.0.0.1:8000/cairn", "Use https"),  # loopback not allowed here
        ("https://user:pass@hooks.example.com/", "user name and password"),
        ("https://hooks.example.com:99999/", "port"),
    ],
)
def test_urls_that_are_never_delivered_to(url, message):
    with pytest.raises(transport.UnsafeTarget, match=message):
        transport.check_url(url, allow_loopback=False)


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "127.0.0.1",
        "[::1]",
        "[fd00::1]",
        "[fe80::1]",
        "[::ffff:10.0.0.1]",  # IPv4-mapped
        "[::ffff:127.0.0.1]",
        "224.0.0.1",
    ],
)
def test_private_and_loopback_addresses_are_refused(address):
    with pytest.raises(transport.UnsafeTarget, match="private network"):
        transport.resolve(f"https://{address}/hook", allow_loopback=False)


def test_a_name_resolving_to_loopback_is_refused_in_production():
    with pytest.raises(transport.UnsafeTarget, match="private network"):
        transport.resolve("https://localhost/hook", allow_loopback=False)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "https://[::1]/"]
)
def test_loopback_is_allowed_only_when_the_setting_says(url):
    assert transport.resolve(url, allow_loopback=True) in ("127.0.0.1", "::1")


def test_loopback_allowance_does_not_open_private_networks():
    with pytest.raises(transport.UnsafeTarget, match="private network"):
        transport.resolve("https://10.1.2.3/", allow_loopback=True)
    with pytest.raises(transport.UnsafeTarget, match="Use https"):
        transport.check_url("http://10.1.2.3/", allow_loopback=True)


def test_a_public_address_is_resolved_to_itself():
    assert transport.resolve("https://93.184.215.14/hook", allow_loopback=False) == (
        "93.184.215.14"
    )


def test_an_unknown_host_is_refused_plainly():
    with pytest.raises(transport.UnsafeTarget, match="cannot be found"):
        transport.resolve("https://no-such-host.invalid/", allow_loopback=False)
