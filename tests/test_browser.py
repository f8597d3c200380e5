"""A real browser (Debian's headless Chromium) through the thin path."""

import pytest
from django.urls import reverse
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from assessments.models import Submission
from tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def start_chromium(tmp_path, *, prefs: dict | None = None):
    """Debian's headless Chromium through its chromedriver; `prefs` are the
    profile's settings (the LTI test blocks third-party cookies with them)."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-sync",
        "--disable-component-update", "--window-size=1280,1000",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):  # fmt: skip
        options.add_argument(argument)
    # The console, for Content-Security-Policy violations (csp_violations).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if prefs:
        options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path)
    yield driver
    driver.quit()


def csp_violations(browser) -> list[str]:
    """What the browser refused under the Content-Security-Policy since the
    last call (reading the console empties it)."""
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if "Content Security Policy" in entry["message"]
    ]


# How long a browser test waits for the page to change. A wait that holds
# returns as soon as it does, so a longer limit only slows a failing test; 15 s
# was too short for a CI run sharing the two cores with benchmarks (load 9-10:
# an htmx search took longer to come back, tests/accounts/people/test_browser.py).
WAIT_SECONDS = 30


def wait_until(browser, condition, *, timeout: int = WAIT_SECONDS):
    """Wait for `condition(browser)` to hold. htmx swaps parts of the page under
    the test's feet, so an element found a moment ago may be gone: the wait
    retries on missing and stale elements instead of failing (and on a node that
    left the document between finding and reading it, which chromedriver reports
    as an "unhandled inspector error")."""

    def holds(driver):
        try:
            return condition(driver)
        except WebDriverException as error:
            if isinstance(
                error, NoSuchElementException | StaleElementReferenceException
            ) or ("inspector error" in str(error)):
                return False
            raise

    return WebDriverWait(browser, timeout).until(holds)


def click(browser, by: str, value: str, *, timeout: int = WAIT_SECONDS) -> None:
    """Click an element that htmx may be swapping: find it afresh and click,
    again if the node went stale or left the document in between (chromedriver
    reports the latter as an "unhandled inspector error")."""

    def clicked(driver) -> bool:
        try:
            driver.find_element(by, value).click()
        except WebDriverException as error:
            if isinstance(error, StaleElementReferenceException) or (
                "inspector error" in str(error)
            ):
                return False
            raise
        return True

    wait_until(browser, clicked, timeout=timeout)


def wait_for_text(
    browser, selector: str, text: str, *, timeout: int = WAIT_SECONDS
) -> None:
    """Wait for the next page: reading right after a click may see the old one."""
    wait_until(
        browser,
        expected_conditions.text_to_be_present_in_element(
            (By.CSS_SELECTOR, selector), text
        ),
        timeout=timeout,
    )


def click_and_wait_for_new_page(
    browser, by: str, value: str, *, timeout: int = WAIT_SECONDS
) -> None:
    """Click what loads a whole new page (a link, a form htmx leaves alone) and
    wait until the old page has gone: a wait for text the old page may show
    too, or a read of the database, could otherwise come before the click has
    had its effect."""
    page = browser.find_element(By.TAG_NAME, "html")
    click(browser, by, value, timeout=timeout)
    wait_until(browser, expected_conditions.staleness_of(page), timeout=timeout)


def answer_confirm(browser, *, accept: bool) -> str:
    """Answer the confirmation static/js/cairn.js asks for a data-confirm
    button; the question it asked."""
    wait_until(browser, expected_conditions.alert_is_present())
    alert = browser.switch_to.alert
    question = alert.text
    if accept:
        alert.accept()
    else:
        alert.dismiss()
    return question


def log_in(browser, live_server, user) -> None:
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_username").send_keys(user.username)
    browser.find_element(By.ID, "id_password").send_keys("pw", Keys.ENTER)
    # The next page, within WAIT_SECONDS (the implicit wait is only 5 s).
    wait_until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "header .who"))


def log_out(browser) -> None:
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    wait_until(browser, lambda d: d.find_element(By.LINK_TEXT, "Log in"))


def test_enrol_submit_grade_by_keyboard_and_see_the_credential(browser, live_server):
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    learner, faculty = cast["learner"], cast["faculty"]

    log_in(browser, live_server, learner)
    browser.get(live_server.url + built.version.get_absolute_url())
    browser.find_element(By.XPATH, "//button[text()='Enrol in this pathway']").click()
    wait_for_text(browser, "main", "0 of 3 modules done.")

    browser.get(live_server.url + built.tasks[0].get_absolute_url())
    browser.find_element(By.ID, "id_text").send_keys("My pivot table, with notes.")
    browser.find_element(By.XPATH, "//button[text()='Submit for grading']").click()
    assert "It is locked" in answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "submitted for grading")
    log_out(browser)

    log_in(browser, live_server, faculty)
    browser.get(live_server.url + reverse("assessments:queue"))
    browser.find_element(By.LINK_TEXT, "Grade").click()
    # Keyboard only: focus each criterion's "Competent" radio and press space.
    for criterion_id, level_id in builders.levels_for(built.tasks[0], 2).items():
        radio = browser.find_element(
            By.CSS_SELECTOR, f"input[name='level_{criterion_id}'][value='{level_id}']"
        )
        radio.send_keys(Keys.SPACE)
        assert radio.is_selected()
    comment = browser.find_element(By.ID, "id_comment")
    comment.send_keys("Clear and correct.")
    comment.send_keys(Keys.TAB, Keys.ENTER)  # Tab to "Finalise grade", Enter
    answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "4 points")
    assert Submission.objects.get().grade.passed
    log_out(browser)

    log_in(browser, live_server, learner)
    wait_for_text(browser, "main", "1 of 3 modules done.")
    credential = browser.find_element(By.CSS_SELECTOR, ".grid article h3 a")
    assert credential.text == "Module A-101"
    credential.click()
    wait_for_text(browser, ".verdict", "Genuine")
