"""The whole LTI flow in Chromium with third-party cookies blocked: an admin
registers the loopback platform by hand; the platform's course page
(127.0.0.1, a site other than Cairn's localhost) opens Cairn in a frame and
answers its storage messages; the learner lands signed in on their progress;
the instructor maps a line item to a module; a posted grade completes it and
the credential verifies in the independent verifier; a lowered grade voids
the completion and revokes the award."""

import pytest
import requests
from django.test import Client
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from assessments.models import ModuleCompletion
from credentials.models import Award
from integrations.models import LtiContext, LtiPlatform
from tests import builders
from tests.credentials.conftest import served
from tests.credentials.jsverifier import verify_with_node
from tests.integrations.lti.platform import INSTRUCTOR, Platform
from tests.test_browser import (
    click,
    click_and_wait_for_new_page,
    log_in,
    start_chromium,
    wait_for_text,
    wait_until,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.node,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(tmp_path):
    # Third-party cookies blocked, as Chromium's settings page does it; only
    # partitioned cookies (CHIPS) survive in a cross-site frame.
    driver = start_chromium(
        tmp_path,
        prefs={
            "profile.block_third_party_cookies": True,
            "profile.cookie_controls_mode": 1,
        },
    )
    yield driver
    driver.quit()


@pytest.fixture
def lms():
    """The loopback platform, not yet registered in Cairn (the admin does it
    in the browser)."""
    started = Platform()
    yield started
    started.stop()


def open_in_course(browser, platform, user_id, **launch) -> None:
    """The platform's course page, then into Cairn's frame."""
    browser.switch_to.default_content()
    browser.get(platform.course_page_url(user_id, **launch))
    wait_until(browser, lambda b: b.find_element(By.NAME, "cairn"))
    browser.switch_to.frame("cairn")


def storage_log(browser) -> list[str]:
    browser.switch_to.default_content()
    log = browser.execute_script("return window.ltiStorageLog")
    browser.switch_to.frame("cairn")
    return log


def register_by_hand(browser, live_server, cast, platform) -> None:
    log_in(browser, live_server, cast["admin"])
    slug = cast.organization.slug
    browser.get(live_server.url + reverse("integrations:lti-platforms", args=[slug]))
    fields = platform.tool_fields()
    for name in (
        "name",
        "issuer",
        "client_id",
        "auth_login_url",
        "auth_token_url",
        "key_set_url",
    ):
        browser.find_element(By.ID, f"id_{name}").send_keys(fields[name])
    browser.find_element(By.ID, "id_deployment_ids").send_keys(
        "\n".join(fields["deployment_ids"])
    )
    click(browser, By.XPATH, "//button[text()='Register the platform']")
    wait_for_text(browser, "table", "Loopback LMS")
    # What the admin copies from the page into the platform.
    urls = {
        term.text: term.find_element(By.XPATH, "following-sibling::dd[1]/code").text
        for term in browser.find_elements(By.CSS_SELECTOR, "#urls-heading ~ dl dt")
        if term.text.endswith("URL")
    }
    platform.register_tool(
        login_url=urls["Login initiation URL"],
        launch_url=urls["Launch (redirect) URL"],
        tool_jwks=requests.get(urls["Public key set URL"], timeout=10).json(),
    )


def sync_now(browser) -> None:
    """Ask for a reading and wait for the page the POST answers with: the
    old page already says "Grades last read" after the first reading, so
    waiting for that text alone could return before the sync has run."""
    click_and_wait_for_new_page(
        browser, By.XPATH, "//button[text()='Read grades and members now']"
    )
    wait_for_text(browser, "main", "Grades last read")


def verified(award: Award) -> dict:
    return verify_with_node(award.credential, **served(Client(), award.credential))


def test_registration_launches_in_the_frame_and_grades_award_and_revoke(
    browser, live_server, lms
):
    platform = lms
    cast = builders.make_cast()
    task = builders.make_module(cast, "A-101")
    quiz = platform.add_line_item("quiz-1", "Spreadsheet quiz")
    platform.add_member("student-1", name="Sam Ray", email="sam@example.edu")
    platform.add_member(
        "teacher-1", name="Ann Lee", email="ann@example.edu", roles=(INSTRUCTOR,)
    )

    register_by_hand(browser, live_server, cast, platform)
    assert LtiPlatform.objects.get().issuer == platform.issuer

    # The learner, in the course's frame: signed in by the launch, on the
    # progress page of the module the link names.
    open_in_course(
        browser,
        platform,
        "student-1",
        name="Sam Ray",
        email="sam@example.edu",
        custom={"cairn_module": "A-101"},
    )
    wait_for_text(browser, "header .who", "Sam Ray")
    wait_for_text(browser, "main h1", "Module A-101")
    # No state cookie reached the frame: the state went through the
    # platform's storage.
    assert storage_log(browser) == [
        "lti.capabilities",
        "lti.put_data",
        "lti.get_data",
    ]

    # The instructor maps the quiz to the module (a form posted in the frame:
    # the CSRF and session cookies are partitioned ones).
    open_in_course(browser, platform, "teacher-1", roles=(INSTRUCTOR,), name="Ann Lee")
    wait_for_text(browser, "main h1", "Data Analysis 101")
    wait_for_text(browser, "header .who", "Ann Lee")
    Select(browser.find_element(By.ID, "id_module")).select_by_value(
        str(task.version.module_id)
    )
    browser.find_element(By.CSS_SELECTOR, f"input[value='{quiz}']").click()
    minimum = browser.find_element(By.ID, "id_min_percent")
    minimum.clear()
    minimum.send_keys("80")
    click(browser, By.XPATH, "//button[text()='Map these grades']")
    wait_for_text(
        browser,
        "main",
        "A score of at least 80 % on “Spreadsheet quiz” completes Module A-101.",
    )
    context = LtiContext.objects.get()
    assert context.award_rules.count() == 1

    # The platform posts 85: the sync (the Celery task, run in process)
    # completes the module and the pipeline issues the credential.
    platform.post_score(quiz, "student-1", 85)
    sync_now(browser)
    wait_for_text(browser, "tbody", "Module A-101")
    completion = ModuleCompletion.objects.get()
    assert completion.voided_at is None
    award = Award.objects.get(learner=completion.learner)
    assert completion.learner.get_full_name() == "Sam Ray"
    result = verified(award)
    assert result["verified"] is True, result
    assert result["status"]["revocation"] is False

    # The grade is lowered to 60: the completion is voided, the award revoked,
    # and the status list says so.
    platform.post_score(quiz, "student-1", 60)
    sync_now(browser)
    completion.refresh_from_db()
    award.refresh_from_db()
    assert completion.voided_at is not None
    assert award.revoked_at is not None
    result = verified(award)
    assert result["verified"] is False
    assert result["status"]["revocation"] is True
