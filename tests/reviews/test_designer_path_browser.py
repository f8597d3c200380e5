"""The designer's whole path in Chromium without typing a URL (issue 16): from
their home page to a new module draft, its outcome, submission to the board,
the board's votes from the reviewers' home pages, the admin's publishing from
theirs, then the version history and "Start a new version". Each page is
reached by the links and buttons people see; only the login page is typed."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select

from curriculum.models import ModuleVersion
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


def follow(driver, text: str, *, within: str = "main") -> None:
    """Click the link with this text inside `within`, and wait for the page it
    leads to: the next step's link or field is then looked for on the new page,
    not in what is left of this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    area = driver.find_element(By.CSS_SELECTOR, within)
    area.find_element(By.PARTIAL_LINK_TEXT, text).click()
    wait_until(driver, staleness_of(page))


def vote_from_home(driver, live_server, person, label: str) -> None:
    log_in(driver, live_server, person)
    follow(driver, label, within=".home-section")  # "Reviewing" on their home
    driver.find_element(By.CSS_SELECTOR, "input[name=has_conflict][value=no]").click()
    driver.find_element(By.XPATH, "//button[text()='Declare']").click()
    driver.find_element(By.CSS_SELECTOR, "input[name=decision][value=approve]").click()
    driver.find_element(By.NAME, "reason").send_keys("Sound and current.")
    driver.find_element(By.XPATH, "//button[text()='Cast vote']").click()
    # Not just "vote": the page before says "… You can vote now." already.
    wait_for_text(driver, ".messages", "Your vote is recorded")
    log_out(driver)


def test_a_designer_goes_from_home_to_a_published_module_and_its_next_draft(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    builders.make_board(cast)

    log_in(browser, live_server, cast["designer"])
    assert "Designing" in browser.find_element(By.TAG_NAME, "main").text
    follow(browser, "Curriculum", within=".home-section")  # "Designing" on home
    follow(browser, "New module")
    browser.find_element(By.ID, "id_code").send_keys("SHEETS-101")
    browser.find_element(By.ID, "id_title").send_keys("Spreadsheet Foundations")
    browser.find_element(By.ID, "id_criteria_narrative").send_keys(
        "Build and explain a budget workbook."
    )
    browser.find_element(By.XPATH, "//button[text()='Create draft']").click()
    wait_for_text(browser, ".messages", "Add its outcomes next")
    browser.find_element(By.ID, "id_statement").send_keys(
        "Build a pivot table that answers a business question."
    )
    browser.find_element(By.XPATH, "//button[text()='Add outcome']").click()
    wait_for_text(browser, "#outcomes", "Build a pivot table")
    follow(browser, "Submit for review", within=".version-path")
    Select(browser.find_element(By.ID, "id_board")).select_by_visible_text(
        "Industry board"
    )
    browser.find_element(By.XPATH, "//button[text()='Submit for review']").click()
    # The message, not the title: the submit page's heading names it already.
    wait_for_text(browser, ".messages", "is with Industry board for review")
    version = ModuleVersion.objects.get(module__code="SHEETS-101")
    assert version.status == ModuleVersion.Status.IN_REVIEW
    log_out(browser)

    for person in ("practitioner_1", "practitioner_2"):
        vote_from_home(browser, live_server, cast[person], "SHEETS-101")
    version.refresh_from_db()
    assert version.status == ModuleVersion.Status.APPROVED

    log_in(browser, live_server, cast["admin"])
    follow(browser, "Spreadsheet Foundations")  # waiting to be published
    browser.find_element(By.ID, "id_changelog").send_keys("First release.")
    browser.find_element(By.XPATH, "//button[text()='Publish version 1']").click()
    assert "frozen for ever" in answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "is published")
    log_out(browser)

    log_in(browser, live_server, cast["designer"])
    follow(browser, "Curriculum", within="header")
    follow(browser, "Spreadsheet Foundations")
    follow(browser, "Version history", within=".version-path")
    wait_for_text(browser, "main", "Version history of Spreadsheet Foundations")
    browser.back()
    browser.find_element(By.XPATH, "//button[text()='Start a new version']").click()
    wait_for_text(browser, "main", "version 2")
    draft = ModuleVersion.objects.get(module__code="SHEETS-101", number=2)
    assert draft.status == ModuleVersion.Status.DRAFT
    assert "/admin" not in browser.current_url
