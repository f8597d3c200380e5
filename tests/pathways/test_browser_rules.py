"""A real browser: a designer builds "all of A, B and any 2 of C, D, E" in the
rule builder, and a learner reads their next step on the dashboard."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from assessments import services as assessments
from curriculum.models import Module
from pathways.models import PathwayVersion
from tests import builders
from tests.test_browser import (  # noqa: F401
    answer_confirm,
    browser,
    log_in,
    log_out,
    wait_for_text,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def summary_reads(driver, text: str) -> None:
    wait_until(driver, lambda d: text in d.find_element(By.ID, "rule-summary").text)


def edit_group(driver, path: str, *, code: str, button: str, kind: str = "") -> None:
    form = driver.find_element(By.ID, f"add-{path}").find_element(By.XPATH, "./..")
    Select(form.find_element(By.NAME, "code")).select_by_value(code)
    if kind:
        Select(form.find_element(By.NAME, "kind")).select_by_value(kind)
    form.find_element(By.XPATH, f".//button[text()='{button}']").click()


def test_a_designer_builds_a_rule_and_a_learner_reads_the_next_step(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    for code in ("A", "B", "C", "D", "E"):
        builders.make_module(cast, code)

    log_in(browser, live_server, cast["designer"])
    browser.get(live_server.url + reverse("pathways:create"))
    browser.find_element(By.ID, "id_code").send_keys("DATA")
    browser.find_element(By.ID, "id_title").send_keys("Data analysis")
    for label in browser.find_elements(By.CSS_SELECTOR, "#id_modules label"):
        if label.text.strip() in {"A", "B"}:
            label.find_element(By.TAG_NAME, "input").send_keys(Keys.SPACE)
    browser.find_element(By.XPATH, "//button[text()='Create draft']").click()
    browser.find_element(By.LINK_TEXT, "Edit the rule").click()
    summary_reads(browser, "Complete Module A and Module B.")

    edit_group(browser, "0", code="C", kind="any", button="Add group starting with it")
    summary_reads(browser, "Complete Module A and Module B, and Module C.")
    edit_group(browser, "0.2", code="D", button="Add module")
    summary_reads(browser, "either Module C or Module D")
    edit_group(browser, "0.2", code="E", button="Add module")
    summary_reads(browser, "any one of these three: Module C, Module D and Module E")
    n = browser.find_element(By.ID, "n-0.2")
    n.clear()
    n.send_keys("4", Keys.ENTER)  # more than the group has: refused in words
    wait_until(
        browser,
        lambda d: (
            "lower the number or add modules"
            in d.find_element(By.ID, "rule-error").text
        ),
    )
    n = browser.find_element(By.ID, "n-0.2")
    n.clear()
    n.send_keys("2", Keys.ENTER)
    summary_reads(
        browser,
        "Complete Module A and Module B, and any two of these three: Module C, "
        "Module D and Module E.",
    )

    # The live preview: tick A, B and C and see what is still missing.
    for code in ("A", "B", "C"):
        browser.find_element(
            By.CSS_SELECTOR, f"#preview-form input[value='{code}']"
        ).click()
    wait_until(
        browser,
        lambda d: (
            "needs 2 of Module C, Module D, Module E; you have 1"
            in d.find_element(By.ID, "preview").text
        ),
    )
    version = PathwayVersion.objects.get(pathway__code="DATA")
    log_out(browser)

    log_in(browser, live_server, cast["admin"])
    browser.get(live_server.url + version.get_absolute_url())
    browser.find_element(By.ID, "id_changelog").send_keys("First release.")
    browser.find_element(By.XPATH, "//button[text()='Publish version 1']").click()
    assert "frozen for ever" in answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "is published")
    log_out(browser)

    learner = cast["learner"]
    module_a = Module.objects.get(organization=cast.organization, code="A")
    assessments.record_completion(
        learner, module_a.versions.get(status="published"), source="graded"
    )
    log_in(browser, live_server, learner)
    browser.get(live_server.url + version.get_absolute_url())
    assert (
        "already met by your completions"
        in browser.find_element(By.TAG_NAME, "main").text
    )
    browser.find_element(By.XPATH, "//button[text()='Enrol in this pathway']").click()
    next_step = browser.find_element(By.CSS_SELECTOR, ".next-step")
    assert next_step.text == "Next step: Module B"
    browser.find_element(By.CSS_SELECTOR, ".pathway-map svg")
    browser.find_element(
        By.XPATH, "//summary[text()='Text version of the map']"
    ).click()
    text = browser.find_element(By.CSS_SELECTOR, ".map-text").text
    assert "Module A (A): done" in text
    assert "Module B (B): available now, your next step" in text
