"""Posting a delivery without letting a subscriber's URL reach inside the network.

A URL is checked when it is saved and again, resolved, before every attempt; the
connection goes to the address that was checked, so a name that resolves to a
public address at the check and to a private one a moment later (DNS rebinding)
still reaches only the public one. Redirects are not followed: a 3xx is a failed
attempt. No ORM.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

EXCERPT_BYTES = 1000


class UnsafeTarget(ValueError):
    """The URL may not be delivered to: its scheme, or where its host points."""


@dataclass(frozen=True)
class Response:
    status: int
    excerpt: str


def _allowed_address(address: str, *, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    # is_global is false for private, link-local (cloud metadata at
    # 169.254.169.254), shared (100.64/10), reserved and unspecified addresses.
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_loopback: bool) -> None:
    """Refuse what no delivery may be sent to, without resolving the host."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeTarget("Give a full https:// address.")
    if parts.username or parts.password:
        raise UnsafeTarget("Leave the user name and password out of the address.")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as error:
        raise UnsafeTarget("The port is not a number from 1 to 65535.") from error
    if parts.scheme == "http" and not (
        allow_loopback and _is_loopback_name(parts.hostname)
    ):
        raise UnsafeTarget("Use https: deliveries carry learners' records.")


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve(url: str, *, allow_loopback: bool) -> str:
    """The one address to connect to; refuses a host with any address not public."""
    check_url(url, allow_loopback=allow_loopback)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise UnsafeTarget(f"The host {parts.hostname} cannot be found.") from error
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        if not _allowed_address(address, allow_loopback=allow_loopback):
            raise UnsafeTarget(
                f"{parts.hostname} points inside a private network ({address}); "
                "deliveries go only to public addresses."
            )
    return addresses[0]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    allow_loopback: bool,
) -> Response:
    """POST once. Raises UnsafeTarget, or OSError for a connection refused or
    reset, a timeout, a TLS failure or an answer that is not HTTP."""
    address = resolve(url, allow_loopback=allow_loopback)
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname,
            parts.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=timeout
        )
    # Connect to the checked address; TLS still verifies the certificate of
    # the name (server_hostname stays parts.hostname).
    port = connection.port
    connection._create_connection = lambda _address, *args: socket.create_connection(
        (address, port), *args
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return Response(status=response.status, excerpt=excerpt)
    except http.client.HTTPException as error:
        raise OSError(f"The receiver did not answer in HTTP ({error!r}).") from error
    finally:
        connection.close()
