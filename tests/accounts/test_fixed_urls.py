"""{% fixed_url %} gives what {% url %} gives, and follows the script prefix
and the URL configuration rather than keeping the first answer for good."""

import uuid

from django.template import Context, Template
from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

TEMPLATE = Template("{% load fixed_urls %}{% fixed_url 'accounts:notifications' %}")


def _render() -> str:
    return TEMPLATE.render(Context())


def test_the_same_url_as_reverse_gives():
    assert _render() == reverse("accounts:notifications")
    assert _render() == reverse("accounts:notifications")  # kept


def test_a_script_prefix_is_followed():
    set_script_prefix("/cairn/")
    try:
        assert _render() == reverse("accounts:notifications")
        assert _render().startswith("/cairn/")
    finally:
        clear_script_prefix()
    assert _render() == reverse("accounts:notifications")


def test_another_url_configuration_is_followed():
    _render()
    with override_settings(ROOT_URLCONF="tests.accounts.fixed_urls_conf"):
        assert _render() == "/elsewhere/notifications/"
    assert _render() == reverse("accounts:notifications")


ROW = Template("{% load fixed_urls %}{% fixed_url 'assessments:grade' pk %}")


def _row(pk) -> str:
    return ROW.render(Context({"pk": pk}))


def test_a_route_taking_a_number_gives_what_reverse_gives_for_each_row():
    for pk in (1, 42, 1234567, 7):
        assert _row(pk) == reverse("assessments:grade", args=[pk])
    set_script_prefix("/cairn/")
    try:
        assert _row(5) == reverse("assessments:grade", args=[5])
        assert _row(5).startswith("/cairn/")
    finally:
        clear_script_prefix()
    assert _row(5) == reverse("assessments:grade", args=[5])


def test_a_route_taking_a_uuid_gives_what_reverse_gives():
    template = Template("{% load fixed_urls %}{% fixed_url 'credentials:verify' u %}")
    for value in (uuid.uuid4(), uuid.uuid4()):
        url = template.render(Context({"u": value}))
        assert url == reverse("credentials:verify", args=[value])
    # Anything but an integer or a UUID is reversed as {% url %} does.
    text = Template("{% load fixed_urls %}{% fixed_url 'credentials:issuer' s %}")
    assert text.render(Context({"s": "a-b"})) == reverse(
        "credentials:issuer", args=["a-b"]
    )
