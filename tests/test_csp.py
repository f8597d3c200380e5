"""A Content-Security-Policy without 'unsafe-inline' covers every page, and
htmx, the charts and the bars keep working under it in a real browser."""

import re

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from pathways import services as pathway_services
from tests import builders
from tests.test_browser import (  # noqa: F401 (browser is the real-browser fixture)
    browser,
    csp_violations,
    log_in,
    wait_until,
)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policy_without_unsafe_inline(client):
    for url in ("/", "/accounts/login/", "/api/docs/", "/admin/login/", "/nowhere/"):
        policy = _policy(client.get(url))
        assert "unsafe-inline" not in " ".join(policy.values()), url
        assert policy["script-src"] == "script-src 'self'"
        assert policy["style-src"] == "style-src 'self'"
        assert policy["object-src"] == "object-src 'none'"


def test_pages_hold_no_inline_script_style_or_handler(client, cast, pathway):
    pathway_services.enrol(cast["learner"], pathway.version)
    builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    slug = cast.organization.slug
    pages = {
        "learner": [reverse("home"), reverse("credentials:mine")],
        "designer": [
            pathway.tasks[0].version.get_absolute_url(),
            reverse("pathways:rule-builder", args=[pathway.version.pk]),
            reverse("assessments:rubric-builder", args=[pathway.tasks[0].pk]),
        ],
        "admin": [
            reverse("credentials:issuer", args=[slug]),
            reverse("analytics:organization", args=[slug]),
            reverse("accounts:audit", args=[slug]),
        ],
    }
    for role, urls in pages.items():
        client.force_login(cast[role])
        for url in urls:
            html = client.get(url).text
            assert not INLINE_SCRIPT.search(html), url
            assert "<style" not in html, url
            assert " style=" not in html, url
            assert not INLINE_HANDLER.search(html), url


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_htmx_charts_and_bars_work_under_the_policy(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    pathway_services.enrol(cast["learner"], built.version)
    builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    draft = builders.make_module(cast, "D-201", publish=False).version

    # htmx: the competency picker fetches its results as the designer types.
    log_in(browser, live_server, cast["designer"])
    browser.get(live_server.url + draft.get_absolute_url())
    field = browser.find_element(By.CSS_SELECTOR, "input[type=search][name=q]")
    field.send_keys("spreadsheets")
    wait_until(
        browser,
        lambda d: (
            "use spreadsheets software"
            in d.find_element(By.CSS_SELECTOR, ".picker-results").text
        ),
    )
    assert csp_violations(browser) == []

    # The learner's progress bar is sized by static/js/cairn.js.
    browser.delete_all_cookies()
    log_in(browser, live_server, cast["learner"])
    bar = browser.find_element(By.CSS_SELECTOR, ".progress > span")
    wait_until(browser, lambda d: bar.get_attribute("style"))
    assert bar.value_of_css_property("width") != "0px"
    assert csp_violations(browser) == []

    # The analytics chart draws its bars in the stylesheet's colours.
    browser.delete_all_cookies()
    log_in(browser, live_server, cast["admin"])
    slug = cast.organization.slug
    browser.get(live_server.url + reverse("analytics:organization", args=[slug]))
    bars = browser.find_elements(By.CSS_SELECTOR, "figure.bar-chart rect.s0")
    assert bars
    assert bars[0].value_of_css_property("fill") == "rgb(47, 107, 94)"
    assert csp_violations(browser) == []

    # The API documentation runs its script from a file.
    browser.get(live_server.url + reverse("swagger-ui"))
    wait_until(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info"))
    assert csp_violations(browser) == []
