"""The Redis cache keeps one redis-py client per connection pool (config/cache.py)
and still behaves as Django's cache."""

import threading

import pytest
from django.core.cache import caches
from django.test import override_settings

from config.cache import RedisCache


def test_the_product_cache_is_the_reusing_backend():
    assert isinstance(caches["default"], RedisCache)


def test_one_client_serves_every_operation_and_the_values_round_trip():
    backend = caches.create_connection("default")
    first = backend._cache.get_client(write=True)
    assert backend._cache.get_client() is first
    backend.set("reuse:a", {"n": 1}, 30)
    assert backend.get("reuse:a") == {"n": 1}
    assert backend.add("reuse:b", 1)
    assert backend.incr("reuse:b") == 2
    backend.delete_many(["reuse:a", "reuse:b"])
    assert backend.get_many(["reuse:a", "reuse:b"]) == {}
    assert backend._cache.get_client() is first


def test_threads_sharing_the_client_each_read_their_own_values():
    backend = caches.create_connection("default")
    errors = []

    def work(n):
        try:
            for i in range(200):
                backend.set(f"reuse:t{n}", i, 30)
                assert backend.get(f"reuse:t{n}") == i
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    backend.delete_many([f"reuse:t{n}" for n in range(4)])


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_a_cache_that_does_not_answer_raises_as_django_s_does():
    import redis

    backend = caches.create_connection("default")
    with pytest.raises(redis.exceptions.ConnectionError):
        backend.get("reuse:x")
    with pytest.raises(redis.exceptions.ConnectionError):
        backend.get("reuse:x")


def test_every_key_is_kept_under_the_namespace_read_at_each_call(settings):
    backend = caches.create_connection("default")
    settings.CAIRN_CACHE_NAMESPACE = "one"
    backend.set("marker:3490", "one's", 30)
    raw = backend.make_and_validate_key("marker:3490")
    assert raw.startswith("one:")
    assert backend._cache.get_client(raw).exists(raw)
    settings.CAIRN_CACHE_NAMESPACE = "two"
    assert backend.get("marker:3490") is None  # another test's learner 3490
    assert backend.add("marker:3490", "two's", 30)
    backend.delete("marker:3490")
    settings.CAIRN_CACHE_NAMESPACE = "one"
    assert backend.get("marker:3490") == "one's"
    backend.delete("marker:3490")


def test_clearing_the_cache_leaves_the_broker_s_keys_alone(settings):
    """Celery's queues share the Redis database; Django's clear() flushed it."""
    backend = caches.create_connection("default")
    settings.CAIRN_CACHE_NAMESPACE = "clearing"
    client = backend._cache.get_client(write=True)
    client.rpush("cairn-test-queue", "a queued task")
    backend.set_many({f"page:{n}": n for n in range(1500)}, 30)
    settings.CAIRN_CACHE_NAMESPACE = "kept"
    backend.set("page:1", "another namespace's", 30)
    settings.CAIRN_CACHE_NAMESPACE = "clearing"
    try:
        assert backend.clear()
        assert backend.get_many([f"page:{n}" for n in range(1500)]) == {}
        assert client.lrange("cairn-test-queue", 0, -1) == [b"a queued task"]
        settings.CAIRN_CACHE_NAMESPACE = "kept"
        assert backend.get("page:1") == "another namespace's"
    finally:
        client.delete("cairn-test-queue")
        backend.delete("page:1")
