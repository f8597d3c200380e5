"""A designer builds a module with aligned outcomes in a real browser (Debian's
headless Chromium), reordering outcomes with the keyboard only."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from curriculum import framework_services
from curriculum.models import ModuleVersion
from tests import builders
from tests.test_browser import browser, log_in, wait_until  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def outcome_texts(driver) -> list[str]:
    return [
        e.text
        for e in driver.find_elements(
            By.CSS_SELECTOR, "#outcomes li.outcome .statement"
        )
    ]


def press_enter(driver, by: str, value: str) -> None:
    """Press Enter on an element htmx may be replacing, found afresh (again if
    it went stale): on a slow machine the first letters typed into a search
    are searched for too, and a later answer replaces the results."""

    def pressed(d) -> bool:
        d.find_element(by, value).send_keys(Keys.ENTER)
        return True

    wait_until(driver, pressed)


def test_a_designer_creates_a_module_with_aligned_outcomes_and_reorders_by_keyboard(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    designer = cast["designer"]
    framework = framework_services.create_framework(
        cast.organization, by=designer, name="Data skills"
    )
    for code, statement in [
        ("DS.1", "Summarise data with pivot tables"),
        ("DS.2", "Visualise quantitative information honestly"),
    ]:
        framework_services.add_competency(
            framework, by=designer, statement=statement, code=code
        )

    def wait(condition):
        return wait_until(browser, condition)

    log_in(browser, live_server, designer)
    browser.get(live_server.url + reverse("curriculum:module-create"))
    browser.find_element(By.ID, "id_code").send_keys("DATA-101")
    browser.find_element(By.ID, "id_title").send_keys("Data at work")
    browser.find_element(By.ID, "id_summary").send_keys(
        "Pivot tables and honest charts."
    )
    browser.find_element(By.ID, "id_notional_hours").send_keys("125")
    browser.find_element(By.ID, "id_level").send_keys("EQF 5")
    browser.find_element(By.ID, "id_level").submit()
    wait(
        lambda d: (
            "Add its outcomes next" in d.find_element(By.CSS_SELECTOR, ".messages").text
        )
    )

    for statement in (
        "Build a pivot table that answers a question",
        "Chart the result honestly",
    ):
        box = browser.find_element(By.ID, "id_statement")
        box.send_keys(statement)
        browser.find_element(By.XPATH, "//button[text()='Add outcome']").send_keys(
            Keys.ENTER
        )
        wait(lambda d, s=statement: s in outcome_texts(d))
    assert outcome_texts(browser) == [
        "Build a pivot table that answers a question",
        "Chart the result honestly",
    ]
    version = ModuleVersion.objects.get(module__code="DATA-101")
    first, second = version.outcomes.order_by("position")

    # Align each outcome from the picker: type, wait for results, press Enter.
    for outcome, words, code in (
        (first, "pivot", "DS.1"),
        (second, "visualise", "DS.2"),
    ):
        search = browser.find_element(By.ID, f"align-{outcome.pk}")
        search.send_keys(words)
        press_enter(
            browser,
            By.XPATH,
            f"//div[@id='competency-results-{outcome.pk}']"
            f"//button[contains(., 'Align: {code}')]",
        )
        wait(
            lambda d, o=outcome, c=code: (
                c
                in d.find_element(By.CSS_SELECTOR, f"#outcome-{o.pk} .alignments").text
            )
        )

    # Keyboard-only reorder: Enter on "Up" moves the second outcome first, and
    # focus stays on the moved outcome (now on its "Down" button, Up being off).
    browser.find_element(By.ID, f"move-up-{second.pk}").send_keys(Keys.ENTER)
    wait(lambda d: outcome_texts(d)[0] == "Chart the result honestly")
    wait(
        lambda d: (
            d.switch_to.active_element.get_attribute("id") == f"move-down-{second.pk}"
        )
    )
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(lambda d: outcome_texts(d)[0] == "Build a pivot table that answers a question")
    wait(
        lambda d: (
            d.switch_to.active_element.get_attribute("id") == f"move-up-{second.pk}"
        )
    )
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(lambda d: outcome_texts(d)[0] == "Chart the result honestly")

    assert list(version.outcomes.order_by("position")) == [second, first]
    assert [c.code for c in first.competencies.all()] == ["DS.1"]
    assert [c.code for c in second.competencies.all()] == ["DS.2"]
    version.refresh_from_db()
    assert (version.notional_hours, version.level) == (125, "EQF 5")
