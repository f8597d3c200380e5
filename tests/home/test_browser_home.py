"""In the browser: each role's home page with work waiting, a notification
arriving (e-mail in the outbox, in-app with the unread count), and axe on the
new pages at desktop and phone widths."""

import pytest
from django.core import mail
from django.urls import reverse
from selenium.webdriver.common.by import By

from assessments import services as assessments
from pathways import services as pathway_services
from reviews import services as review_services
from tests import builders
from tests.test_accessibility import BLOCKING, Page, axe_violations, describe
from tests.test_browser import (  # noqa: F401
    browser,
    csp_violations,
    log_in,
    log_out,
    wait_for_text,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 1000), "phone": (390, 844)}


@pytest.fixture
def work():
    """Something waiting for every role: a submission to grade, a draft of the
    designer's, a round before the board, a credential issued."""
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    learner = cast["learner"]
    pathway_services.enrol(learner, built.version)
    builders.submit_and_pass(built.tasks[0], learner, cast["faculty"])
    waiting = builders.submit(built.tasks[1], learner, "A pivot table, with notes.")
    draft = builders.make_module(cast, "D-201", publish=False).version
    reviewed = builders.make_module(cast, "R-301", publish=False).version
    review = review_services.submit_for_review(
        reviewed, by=cast["designer"], board=builders.make_board(cast)
    )
    return cast, built, waiting, draft, review


def test_each_role_lands_on_its_waiting_work(browser, live_server, work):  # noqa: F811
    cast, built, waiting, draft, review = work
    expected = {
        "faculty": ["Grading", "Task of B-102", "waiting for a first mark"],
        "designer": ["Designing", draft.title, "Submit for review", "Pathway drafts"],
        "reviewer": ["Reviewing", review.version_label, "due"],
        "admin": ["Waiting to be published", "credential", "webhook"],
    }
    for role, words in expected.items():
        log_in(browser, live_server, cast[role])
        browser.get(live_server.url + reverse("home"))
        text = browser.find_element(By.TAG_NAME, "main").text
        for word in words:
            assert word in text, (role, word)
        log_out(browser)


def test_a_notification_arrives_by_mail_and_in_the_app(
    browser,  # noqa: F811
    live_server,
    work,
):
    cast, built, waiting, draft, review = work
    learner = cast["learner"]
    log_in(browser, live_server, learner)
    browser.get(live_server.url + reverse("accounts:notifications"))
    browser.find_element(By.XPATH, "//button[text()='Mark all as read']").click()
    wait_for_text(browser, "main", "Nothing unread.")  # the earlier notices
    mail.outbox.clear()

    assessments.grade_submission(
        waiting,
        grader=cast["faculty"],
        levels=builders.levels_for(waiting.task, 2),
        comment="Clear and complete.",
    )
    told = {m.subject: m for m in mail.outbox if learner.email in m.to}
    grade_mail = told[f"Your grade for “{waiting.task.title}” is ready"]
    assert grade_mail.alternatives[0][1] == "text/html"
    assert "You have earned “Module B-102”" in told  # the pass earned a credential

    browser.get(live_server.url + reverse("home"))
    wait_for_text(browser, "header .badge-slot", "2 unread")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Notifications").click()
    wait_for_text(browser, "main", f"Your grade for “{waiting.task.title}” is ready")
    browser.find_element(
        By.XPATH,
        "//li[.//h2[contains(., 'Your grade for')]]//button[text()='Open']",
    ).click()
    wait_until(browser, lambda d: waiting.get_absolute_url() in d.current_url)
    browser.get(live_server.url + reverse("accounts:notifications"))
    wait_for_text(browser, "main", "1 unread.")  # the credential's notice


def test_the_new_pages_pass_axe_at_desktop_and_phone_widths(
    browser,  # noqa: F811
    live_server,
    work,
):
    cast, *_ = work
    slug = cast.organization.slug
    pages = {
        "learner": [
            Page("learner home", reverse("home")),
            Page("notifications", reverse("accounts:notifications")),
        ],
        "faculty": [Page("faculty home", reverse("home"))],
        "designer": [Page("designer home", reverse("home"))],
        "reviewer": [Page("reviewer home", reverse("home"))],
        "admin": [
            Page("admin home", reverse("home")),
            Page("e-mail branding", reverse("accounts:branding", args=[slug])),
            Page("e-mail preview", reverse("accounts:branding-preview", args=[slug])),
        ],
    }
    failures = []
    for role, role_pages in pages.items():
        log_in(browser, live_server, cast[role])
        for width, (x, y) in WIDTHS.items():
            browser.set_window_size(x, y)
            for page in role_pages:
                browser.get(live_server.url + page.path)
                refused = csp_violations(browser)
                if refused:
                    failures.append(f"{page.name} at {width}: CSP refused {refused}")
                blocking = [
                    v for v in axe_violations(browser) if v["impact"] in BLOCKING
                ]
                if blocking:
                    failures.append(f"at {width}: " + describe(page, blocking))
        browser.set_window_size(*WIDTHS["desktop"])
        browser.get(live_server.url + reverse("home"))  # the preview has no menu
        log_out(browser)
    assert not failures, "WCAG 2.1 AA or CSP violations:\n" + "\n".join(failures)
