"""A URL configuration placing the notifications elsewhere (test_fixed_urls)."""

from django.http import HttpResponse
from django.urls import include, path


def _page(request):
    return HttpResponse("")


accounts = ([path("notifications/", _page, name="notifications")], "accounts")
urlpatterns = [path("elsewhere/", include(accounts))]
