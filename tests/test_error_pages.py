"""Error pages speak to people: they keep the navigation and say what to do next."""

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_a_missing_page_keeps_the_navigation_and_offers_ways_on(client, cast):
    client.force_login(cast["learner"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We cannot find that page" in page
    assert 'aria-label="Main"' in page
    assert reverse("credentials:verify-upload") in page


def test_a_refused_page_says_who_is_signed_in_and_whom_to_ask(client, cast):
    client.force_login(cast["learner"])
    response = client.get(reverse("accounts:audit", args=[cast.organization.slug]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You do not have access to this page" in page
    assert "ask your organization's administrator" in page


def test_a_server_error_page_needs_nothing_that_could_fail_again():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
