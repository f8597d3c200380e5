"""Per-client limits on public endpoints that cost real work: checking an
uploaded credential (JSON-LD canonicalization, a PDF or image parsed) and a
wallet's answer. Counted in one-minute windows of the cache, which is Redis
whenever REDIS_URL is set, so every web process shares the count.

Behind a reverse proxy every request comes from the proxy's address; with
CAIRN_PROXY_COUNT set to the number of proxies in front of Cairn, the client is
the address the outermost trusted proxy saw (X-Forwarded-For, read from the
right, so a client cannot choose it by sending its own header).

When the cache cannot be reached the limit fails open: the request goes
through and a warning is logged, so that a cache outage never locks everyone
out of logging in."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW_SECONDS = 60

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    proxies = settings.CAIRN_PROXY_COUNT
    if proxies:
        forwarded = [
            address.strip()
            for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if address.strip()
        ]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")


def _name(request: HttpRequest, scope: str, key: str) -> str:
    return ":".join(
        (
            "ratelimit",
            scope,
            key or client_address(request),
        )
    )


def _cache_down(scope: str, error: Exception) -> None:
    logger.warning(
        "Rate limit %r not enforced: the cache cannot be reached (%s).", scope, error
    )


def reached(request: HttpRequest, scope: str, limit: int, *, key: str = "") -> bool:
    """Whether `key` (by default the client's address) has used up this
    minute's `limit` in `scope`, without counting anything: for limits that
    count only failures, with `record` (the login form)."""
    try:
        return (cache.get(_name(request, scope, key)) or 0) >= limit
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(scope, error)
        return False


def record(request: HttpRequest, scope: str, *, key: str = "") -> None:
    """Count one more for `key` in this minute's window of `scope`."""
    name = _name(request, scope, key)
    try:
        cache.add(name, 0, timeout=WINDOW_SECONDS)
        try:
            cache.incr(name)
        except ValueError:  # the window ended between add and incr
            cache.set(name, 1, timeout=WINDOW_SECONDS)
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(scope, error)


def exceeded(request: HttpRequest, scope: str, limit: int, *, key: str = "") -> bool:
    """Count one more for `key` (by default the client's address) in this
    minute's window of `scope`; True once past `limit`. A refused attempt is
    counted too, so a client that keeps trying stays refused."""
    name = _name(request, scope, key)
    try:
        cache.add(name, 0, timeout=WINDOW_SECONDS)
        try:
            return cache.incr(name) > limit
        except ValueError:  # the window ended between add and incr
            cache.set(name, 1, timeout=WINDOW_SECONDS)
            return False
    except Exception as error:  # noqa: BLE001 - any backend's connection error
        _cache_down(scope, error)
        return False
