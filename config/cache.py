"""Django's Redis cache, keeping one redis-py client per connection pool.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation
(its table of some 150 response callbacks each time), which was about a twentieth
of a cached learner dashboard's CPU (issue 17). A `redis.Redis` is safe to share
between threads: it takes a connection from its pool for each command. The
pools, and so the connections, are Django's as before."""

from django.conf import settings
from django.core.cache.backends import redis as django_redis


def make_key(key: str, key_prefix: str, version: int) -> str:
    """Every key Cairn keeps in the cache, under CAIRN_CACHE_NAMESPACE (read
    at each call): the tests give each test a namespace of its own, so that a
    test's markers, counters and fragments are not another's of the same id
    on the shared Redis (a burst marker of learner 3490 removed by another
    xdist worker's learner 3490 queued a second evaluation)."""
    return f"{settings.CAIRN_CACHE_NAMESPACE}:{key_prefix}:{version}:{key}"


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def client(self):
        """The shared redis-py client of the primary, for what Django's cache
        API has no word for (sets, pipelines, SCAN): keys through make_key."""
        return self._cache.get_client(write=True)

    def clear(self) -> bool:
        """Remove Cairn's keys only. Django's clear() is FLUSHDB, and the
        Celery broker keeps its queues, bindings and unacknowledged messages
        in the same Redis database (REDIS_URL): flushing it lost queued tasks
        (a test's clear() emptied a real worker's queues under another test)."""
        pattern = f"{settings.CAIRN_CACHE_NAMESPACE}:{self.key_prefix}:*"
        client = self.client()
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True
