"""The pathway map on a phone (390 px): its titles keep their size and the map
scrolls sideways in its own frame; the page itself never scrolls sideways, and
axe finds nothing (issue 16)."""

import pytest
from selenium.webdriver.common.by import By

from pathways import services as pathways
from tests import builders
from tests.test_accessibility import axe_violations
from tests.test_browser import browser, log_in, wait_until  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pathway_map_is_readable_on_a_phone(browser, live_server):  # noqa: F811
    cast = builders.make_cast()
    codes = ("A-101", "B-102", "C-103", "D-104", "E-105")
    for code in codes:
        builders.make_module(cast, code)
    rule = {
        "type": "all",
        "children": [
            {"type": "module", "code": "A-101"},
            {
                "type": "any",
                "n": 1,
                "children": [
                    {"type": "module", "code": "B-102"},
                    {
                        "type": "all",
                        "children": [
                            {"type": "module", "code": "C-103"},
                            {"type": "module", "code": "D-104"},
                        ],
                    },
                ],
            },
            {"type": "module", "code": "E-105"},
        ],
    }
    version = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="DEEP",
        title="Deep pathway",
        rule=rule,
    )
    version = pathways.publish_pathway_version(version, by=cast["admin"], changelog="1")
    pathways.enrol(cast["learner"], version)

    browser.set_window_size(390, 844)
    log_in(browser, live_server, cast["learner"])
    browser.get(live_server.url + "/")
    svg = browser.find_element(By.CSS_SELECTOR, ".pathway-map svg")
    natural = int(svg.get_attribute("width"))
    assert natural > 390, "a map wider than the phone is the case under test"
    shown = browser.execute_script(
        "return arguments[0].getBoundingClientRect().width", svg
    )
    assert shown == pytest.approx(natural, abs=1)  # not shrunk
    title_px = browser.execute_script(
        "return document.querySelector('.pathway-map text.t')"
        ".getBoundingClientRect().height"
    )
    assert title_px >= 11
    figure = browser.find_element(By.CSS_SELECTOR, ".pathway-map")
    assert browser.execute_script(
        "return arguments[0].scrollWidth > arguments[0].clientWidth", figure
    )
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    assert browser.find_element(By.CSS_SELECTOR, ".scroll-hint").is_displayed()
    assert axe_violations(browser) == []

    browser.set_window_size(1280, 900)
    # Through a wait: the page may be laid out again a moment after the resize.
    wait_until(
        browser,
        lambda d: not d.find_element(By.CSS_SELECTOR, ".scroll-hint").is_displayed(),
    )
