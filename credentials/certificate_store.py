"""Design layers shared by every process of a deployment, in Django's cache.

A design layer (credentials/certificate_layers.py) is laid out once per
achievement and template version, but each process laid out its own: every
gunicorn worker, every restart, every Celery worker, 90–400 ms of CPU each
time, on the request path when the achievement was new to the process. The
layer is plain data once written (PDF objects as bytes, the name's place, the
outline's entries), so it is kept here, in the shared cache (Redis), under a
digest of what it depends on and of what lays it out: a process that did not
lay it out fetches it in about a millisecond. The achievement's first award
queues its layout on the PDF queue (credentials.tasks.render_certificate_layers),
so that web processes find it stored before a learner asks for a certificate.

The learner's layer stays per process: it holds WeasyPrint's boxes and Pango's
layouts (C objects), and costs a third of a design layer.

It is a cache: a layer missing (evicted, expired, Redis down) is laid out as
before; a failure to read or write is logged and never raised. Every process
of a deployment runs the same code and fonts; the key changes with the
templates' source, WeasyPrint, pydyf and Pango, and STORE_FORMAT.
"""

import hashlib
import logging
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

import pydyf
import weasyprint
from django.conf import settings
from django.core.cache import cache as shared_cache

logger = logging.getLogger(__name__)

# Bump when DesignLayer or the way its objects are written changes.
STORE_FORMAT = 1
# A stored layer is kept this long (a month); the next award of its achievement
# or request for its certificate stores it again.
TIMEOUT = 30 * 24 * 3600
TEMPLATES = ("certificate_pdf.html", "certificate_pdf.css")
# Layers fetched from the cache, found missing and stored, since the process began.
counts: Counter[str] = Counter()
_unshared: ContextVar[bool] = ContextVar("unshared", default=False)


@contextmanager
def unshared():
    """Layers laid out within neither fetched nor stored: a process's warm-up
    lays out its sample to pay its first layout, not to fetch it."""
    token = _unshared.set(True)
    try:
        yield
    finally:
        _unshared.reset(token)


@cache
def environment() -> str:
    """What lays a layer out, besides its key: the certificate's templates,
    the libraries' versions and the layers' format."""
    from weasyprint.text.ffi import pango

    digest = hashlib.sha256()
    folder = Path(settings.BASE_DIR) / "templates" / "credentials"
    for name in TEMPLATES:
        digest.update((folder / name).read_bytes())
    versions = (
        STORE_FORMAT,
        weasyprint.__version__,
        pydyf.__version__,
        pango.pango_version(),
    )
    digest.update(repr(versions).encode())
    return digest.hexdigest()[:16]


def store_key(key: tuple) -> str:
    """The cache key of a design layer's key (the design, the certificate's
    text but the learner's, the name's size and lines): the reprs of frozen
    dataclasses of strings, dates and numbers, the same in every process."""
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    return f"certificate-layer:{environment()}:{digest}"


def fetch(key: tuple):
    """The design layer stored for the key, or None."""
    if _unshared.get():
        return None
    try:
        layer = shared_cache.get(store_key(key))
        counts["fetched" if layer is not None else "missing"] += 1
        return layer
    except Exception:  # noqa: BLE001 - a cache, never a reason to fail
        logger.warning("certificate layers: could not read the cache", exc_info=True)
        return None


def store(key: tuple, layer) -> None:
    if _unshared.get():
        return
    try:
        shared_cache.set(store_key(key), layer, TIMEOUT)
        counts["stored"] += 1
    except Exception:  # noqa: BLE001 - a cache, never a reason to fail
        logger.warning("certificate layers: could not write the cache", exc_info=True)


def stored(key: tuple) -> bool:
    try:
        return shared_cache.has_key(store_key(key))
    except Exception:  # noqa: BLE001
        return False


def connect() -> None:
    """The cache's client made and a connection opened (redis-py imported:
    hundreds of milliseconds where no bytecode is cached), as a process warms."""
    stored(("connect",))
