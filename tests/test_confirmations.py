"""Buttons that freeze or lock something ask first: a data-confirm question
that static/js/cairn.js shows (the policy refuses inline onclick)."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By

from assessments.models import Submission
from curriculum import framework_services
from pathways import services as pathways
from tests import builders
from tests.test_browser import (  # noqa: F401 (the fixture)
    answer_confirm,
    browser,
    log_in,
    wait_for_text,
)


class Buttons(HTMLParser):
    """Each button's text and the question asked before it submits: its own
    data-confirm, else its form's."""

    def __init__(self):
        super().__init__()
        self.forms: list[str | None] = []
        self.current: dict | None = None
        self.questions: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs.get("data-confirm"))
        elif tag == "button":
            form = self.forms[-1] if self.forms else None
            self.current = {"text": "", "confirm": attrs.get("data-confirm") or form}

    def handle_endtag(self, tag):
        if tag == "form" and self.forms:
            self.forms.pop()
        elif tag == "button" and self.current is not None:
            self.questions[self.current["text"].strip()] = self.current["confirm"]
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current["text"] += data


def questions(client, url) -> dict[str, str | None]:
    response = client.get(url)
    assert response.status_code == 200
    parser = Buttons()
    parser.feed(response.text)
    return parser.questions


def test_publishing_a_module_version_asks_first(client, cast):
    task = builders.make_module(cast, "M-1", publish=False)
    client.force_login(cast["admin"])
    asked = questions(client, task.version.get_absolute_url())
    assert asked[f"Publish version {task.version.number}"] == (
        f"Publish version {task.version.number}? It is frozen for ever: "
        "learners enrol in it and credentials name it."
    )


def test_publishing_a_pathway_version_asks_first(client, cast):
    builders.make_module(cast, "A-1")
    version = pathways.create_pathway_version(
        cast.organization, by=cast["designer"], code="P", title="Path",
        rule=pathways.all_of(["A-1"]),
    )  # fmt: skip
    client.force_login(cast["admin"])
    asked = questions(client, version.get_absolute_url())
    question = asked[f"Publish version {version.number}"]
    assert question.startswith(f"Publish version {version.number} of the pathway?")
    assert "frozen for ever" in question


def test_publishing_a_framework_asks_first(client, cast):
    framework = framework_services.create_framework(
        cast.organization, by=cast["designer"], name="Data skills"
    )
    client.force_login(cast["admin"])
    asked = questions(client, framework.get_absolute_url())
    assert "can no longer be edited" in asked["Publish framework"]


def test_submitting_asks_first_and_saving_a_draft_does_not(client, cast):
    task = builders.make_module(cast, "M-1")
    client.force_login(cast["learner"])
    asked = questions(client, task.get_absolute_url())
    assert asked["Submit for grading"] == (
        "Submit this attempt for grading? It is locked: you cannot change it "
        "afterwards."
    )
    assert asked["Save draft"] is None


def test_finalising_a_grade_asks_first_and_a_draft_mark_does_not(client, cast):
    task = builders.make_module(cast, "M-1")
    submission = builders.submit(task, cast["learner"])
    client.force_login(cast["faculty"])
    asked = questions(client, reverse("assessments:grade", args=[submission.pk]))
    assert "cannot be changed afterwards" in asked["Finalise grade"]
    assert asked["Save as draft"] is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dismissing_the_question_keeps_the_draft_and_accepting_submits(
    browser,  # noqa: F811
    live_server,
):
    cast = builders.make_cast()
    task = builders.make_module(cast, "M-1")
    learner = cast["learner"]
    log_in(browser, live_server, learner)
    browser.get(live_server.url + task.get_absolute_url())
    browser.find_element(By.ID, "id_text").send_keys("My pivot table.")
    browser.find_element(By.XPATH, "//button[text()='Save draft']").click()
    wait_for_text(browser, ".messages", "Draft saved")
    draft = Submission.objects.get(learner=learner)
    assert draft.status == Submission.Status.DRAFT

    browser.find_element(By.XPATH, "//button[text()='Submit for grading']").click()
    assert "It is locked" in answer_confirm(browser, accept=False)
    # Nothing was sent: the page is still the draft's, and so is the record.
    browser.find_element(By.XPATH, "//button[text()='Submit for grading']")
    draft.refresh_from_db()
    assert draft.status == Submission.Status.DRAFT
    assert draft.submitted_at is None

    browser.find_element(By.XPATH, "//button[text()='Submit for grading']").click()
    answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "submitted for grading")
    draft.refresh_from_db()
    assert draft.status == Submission.Status.SUBMITTED
    assert Submission.objects.filter(learner=learner).count() == 1
