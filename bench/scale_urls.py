"""Cairn's URLs and a reference view running exactly one ORM query: the
ceiling a page is compared with in the same run."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from accounts.models import Organization
from config.urls import urlpatterns as cairn

REFERENCE_PATH = "/bench/reference/"


def reference(request: HttpRequest) -> HttpResponse:
    name = Organization.objects.values_list("name", flat=True).first()
    return HttpResponse(f"<p>{name}</p>")


urlpatterns = [path(REFERENCE_PATH.strip("/") + "/", reference), *cairn]
