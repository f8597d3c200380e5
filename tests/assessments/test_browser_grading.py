"""A grader grades a submission with the keyboard alone, in a real browser."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from assessments.models import Grade, Mark
from tests import builders
from tests.test_browser import (  # noqa: F401 (the fixture)
    answer_confirm,
    browser,
    log_in,
    wait_for_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def press(driver, *keys) -> None:
    """Keys go to whatever has focus, as on a real keyboard."""
    ActionChains(driver).send_keys(*keys).perform()


def tab_to(driver, matches, limit: int = 80):
    """Press Tab until the focused element matches; return it."""
    for _ in range(limit):
        press(driver, Keys.TAB)
        focused = driver.switch_to.active_element
        if matches(focused):
            return focused
    raise AssertionError("Tab never reached the element")


def named(name: str):
    return lambda element: element.get_attribute("name") == name


def test_a_grader_grades_by_keyboard_alone(browser, live_server):  # noqa: F811
    cast = builders.make_cast()
    task = builders.make_module(cast, "KEY-1")
    submission = builders.submit(task, cast["learner"], text="My pivot table.")
    accuracy, communication = task.rubric.criteria.all()

    log_in(browser, live_server, cast["faculty"])
    browser.get(live_server.url + reverse("assessments:queue"))
    grade_link = tab_to(browser, lambda e: e.text == "Grade")
    press(browser, Keys.ENTER)
    wait_for_text(browser, "h1", "Grade:")
    assert grade_link is not None

    # Into the first criterion's radio group: Space picks the lowest level, the
    # arrow keys move the choice along the row.
    tab_to(browser, named(f"level_{accuracy.pk}"))
    press(browser, Keys.SPACE, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    chosen = browser.find_element(
        By.CSS_SELECTOR, f"input[name='level_{accuracy.pk}']:checked"
    )
    assert chosen.get_attribute("value") == str(accuracy.levels.get(position=2).pk)
    tab_to(browser, named(f"comment_{accuracy.pk}"))
    press(browser, "Totals reconcile.")

    # Save a draft, come back to it, and finish.
    tab_to(browser, lambda e: e.text == "Save as draft")
    press(browser, Keys.ENTER)
    wait_for_text(browser, ".messages", "Draft saved")
    assert Mark.objects.get().finalised_at is None
    kept = browser.find_element(
        By.CSS_SELECTOR, f"input[name='level_{accuracy.pk}']:checked"
    )
    assert kept.get_attribute("value") == str(accuracy.levels.get(position=2).pk)

    tab_to(browser, named(f"level_{communication.pk}"))
    press(browser, Keys.SPACE, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    tab_to(browser, named("comment"))
    press(browser, "Clear and correct.")
    finalise = tab_to(browser, lambda e: e.text == "Finalise grade")
    assert finalise.tag_name == "button"
    press(browser, Keys.ENTER)
    assert "cannot be changed" in answer_confirm(browser, accept=True)

    wait_for_text(browser, ".messages", "5 points")
    grade = Grade.objects.get(submission=submission)
    assert (grade.total, grade.passed, grade.comment) == (5, True, "Clear and correct.")
    levels = {cg.criterion_id: cg.level.position for cg in grade.criteria.all()}
    assert levels == {accuracy.pk: 2, communication.pk: 3}
    assert grade.criteria.get(criterion=accuracy).comment == "Totals reconcile."
