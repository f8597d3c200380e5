"""Cairn's URLs plus the reference the page benchmarks compare against: a view
running exactly one query through the whole middleware stack. Only the bench
server's settings (bench/server_settings.py) route here; the product's URLs
never include it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from accounts.models import Organization
from config.urls import urlpatterns as cairn

REFERENCE_PATH = "/bench/one-query/"


def one_query(request: HttpRequest) -> HttpResponse:
    """One small ORM query and a short response: the ceiling a page is
    measured against."""
    first = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    return HttpResponse(f"first organization: {first}\n", content_type="text/plain")


urlpatterns = [path(REFERENCE_PATH.strip("/") + "/", one_query), *cairn]
