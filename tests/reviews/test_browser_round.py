"""One full round in a real browser (Debian's headless Chromium): submit, a
practitioner comments on an outcome and asks for changes, the designer revises,
two approvals, the admin publishes with a changelog, the public history shows
the diff."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from assessments import services as assessments
from curriculum import services as curriculum
from curriculum.models import ModuleVersion
from reviews.models import Review
from tests import builders
from tests.test_browser import answer_confirm, click, log_in, log_out, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def next_draft(cast, code):
    """Version 2 of a module: the same two outcomes and rubric as version 1."""
    draft = curriculum.create_module_version(
        cast.organization, by=cast["designer"], code=code, title=f"Module {code}"
    )
    outcomes = [
        curriculum.add_outcome(
            draft, by=cast["designer"], statement=f"Outcome {n} of {code}"
        )
        for n in (1, 2)
    ]
    assessments.create_task(
        draft,
        by=cast["designer"],
        title=f"Task of {code}",
        criteria=[
            assessments.CriterionSpec("Accuracy", [outcomes[0]]),
            assessments.CriterionSpec("Communication", [outcomes[1]]),
        ],
        levels=builders.LEVELS,
        pass_min_total=4,
        pass_min_level=1,
    )
    return draft


def text(browser, selector="main") -> str:
    return browser.find_element(By.CSS_SELECTOR, selector).text


def expect_message(browser, words: str) -> None:
    """Wait for the next page's message: the old page may still be showing one."""
    wait_until(browser, lambda b: words in text(b, ".messages"))


def vote(browser, live_server, person, review, decision, reason, comment=None):
    log_in(browser, live_server, person)
    browser.get(live_server.url + reverse("reviews:dashboard"))
    click(browser, By.LINK_TEXT, review.version_label)
    click(browser, By.ID, "id_has_conflict_0")  # no conflict
    click(browser, By.XPATH, "//button[text()='Declare']")
    expect_message(browser, "no conflict of interest")
    if comment:
        outcome = review.content["outcomes"][0]
        click(browser, By.XPATH, "//summary[text()='Comment on this outcome']")
        box = browser.find_element(By.ID, f"id_body_outcome_{outcome['key']}")
        box.send_keys(comment)
        box.find_element(By.XPATH, "following-sibling::button").click()
        expect_message(browser, "Comment added on Outcome 1")
    choice = {"approve": 0, "request_changes": 1}[decision]
    click(browser, By.ID, f"id_decision_{choice}")
    browser.find_element(By.ID, "id_reason").send_keys(reason)
    click(browser, By.XPATH, "//button[text()='Cast vote']")
    expect_message(browser, "Your vote is recorded")
    log_out(browser)


def submit(browser, live_server, designer):
    browser.get(live_server.url + reverse("reviews:dashboard"))
    browser.find_element(By.PARTIAL_LINK_TEXT, "for review").click()
    browser.find_element(By.XPATH, "//button[text()='Submit for review']").click()
    expect_message(browser, "is with Industry board for review")
    return Review.objects.order_by("-pk").first()


def test_one_full_round_of_review_to_a_public_diff(browser, live_server):
    cast = builders.make_cast()
    builders.make_module(cast, "M-1")  # version 1, published before the board
    builders.make_board(cast)
    draft = next_draft(cast, "M-1")
    designer, admin = cast["designer"], cast["admin"]

    log_in(browser, live_server, designer)
    first = submit(browser, live_server, designer)
    log_out(browser)

    vote(
        browser, live_server, cast["practitioner_1"], first, "request_changes",
        "Outcome 1 needs a measurable verb.", comment="Which table? Say 'typed'.",
    )  # fmt: skip
    assert ModuleVersion.objects.get(pk=draft.pk).status == "draft"

    log_in(browser, live_server, designer)
    browser.get(live_server.url + first.get_absolute_url())
    assert "Which table? Say 'typed'." in text(browser, "#outcome-" + str(
        first.content["outcomes"][0]["key"]))  # fmt: skip
    browser.get(live_server.url + draft.get_absolute_url())
    browser.find_element(By.ID, "id_statement").send_keys("Chart the totals by month.")
    browser.find_element(By.XPATH, "//button[text()='Add outcome']").click()
    wait_until(browser, lambda b: "Chart the totals by month." in text(b, "#outcomes"))
    browser.get(live_server.url + first.get_absolute_url())
    comment_id = first.comments.get().pk
    browser.find_element(By.ID, f"id_response_{comment_id}").send_keys(
        "Added a charting outcome; outcome 1 keeps its wording."
    )
    browser.find_element(By.ID, f"id_resolve_{comment_id}").click()
    browser.find_element(By.XPATH, "//button[text()='Answer comment']").click()
    expect_message(browser, "answered")
    second = submit(browser, live_server, designer)
    assert "What changed since round 1" in text(browser)
    assert "Chart the totals by month." in text(browser)
    log_out(browser)

    for person in ("practitioner_1", "practitioner_2"):
        vote(browser, live_server, cast[person], second, "approve", "Ready now.")
    assert ModuleVersion.objects.get(pk=draft.pk).status == "approved"

    log_in(browser, live_server, admin)
    browser.get(live_server.url + draft.get_absolute_url())
    browser.find_element(By.ID, "id_changelog").send_keys("Adds charting.")
    browser.find_element(By.XPATH, "//button[text()='Publish version 2']").click()
    assert answer_confirm(browser, accept=True).startswith("Publish version 2?")
    expect_message(browser, "is published")
    log_out(browser)

    browser.get(
        live_server.url
        + reverse("reviews:history", args=[cast.organization.slug, "module", "M-1"])
    )
    history = text(browser, "#v2")
    assert "Adds charting." in history
    assert "Industry board, round 2: 2 approved" in history
    assert "added Outcome 3: Chart the totals by month." in history
    assert "sha256:" in history
