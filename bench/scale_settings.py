"""Cairn's settings for the scale bench's gunicorn: as configured from the
environment, with DEBUG off, plain static files (no collected manifest) and
the one-query reference view's URL."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ROOT_URLCONF = "bench.scale_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
