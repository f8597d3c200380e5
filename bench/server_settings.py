"""Settings of the gunicorn that bench/load.py starts: Cairn's own (every
value from the environment, as in production, DEBUG off) plus the bench-only
reference view's URL, and plain static storage, since no page benchmark asks
for static files and the manifest needs a collectstatic first."""

from config.settings import *  # noqa: F403
from config.settings import STORAGES

ROOT_URLCONF = "bench.server_urls"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
