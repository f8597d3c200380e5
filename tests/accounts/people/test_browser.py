"""An admin invites someone and changes a member's role, in Chromium."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from accounts.models import Invitation, Membership
from tests import builders
from tests.test_browser import browser, click, log_in, wait_for_text  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_invites_someone_and_grants_a_role(
    browser,  # noqa: F811 (the real-browser fixture)
    live_server,
):
    cast = builders.make_cast()
    admin, faculty = cast["admin"], cast["faculty"]
    # A name no one else in the cast has: Faker's random surnames can be part of
    # another's ("Lee" in "Ashlee"), and the search then finds two members.
    faculty.last_name = "Quennell-Abaroa"
    faculty.save(update_fields=["last_name"])
    log_in(browser, live_server, admin)
    browser.find_element(By.LINK_TEXT, "People").click()
    wait_for_text(browser, "h1", "People")
    assert faculty.username in browser.find_element(By.ID, "members").text

    # Search narrows the list in place (htmx).
    browser.find_element(By.ID, "id_q").send_keys(faculty.last_name)
    wait_for_text(browser, "#members", "1 member found")

    browser.find_element(By.ID, "invite_email").send_keys("new.tutor@example.edu")
    Select(browser.find_element(By.ID, "invite_role")).select_by_visible_text("Faculty")
    click(browser, By.XPATH, "//button[text()='Send the invitation']")
    wait_for_text(browser, ".messages", "Invitation sent to new.tutor@example.edu")
    pending = browser.find_element(By.CSS_SELECTOR, "[aria-labelledby=pending-heading]")
    assert "new.tutor@example.edu" in pending.text
    invitation = Invitation.objects.pending().get(email="new.tutor@example.edu")
    assert invitation.role == "faculty"

    browser.get(
        live_server.url
        + reverse("accounts:member-detail", args=[cast.organization.slug, faculty.pk])
    )
    Select(browser.find_element(By.ID, "id_role")).select_by_visible_text(
        "Curriculum designer"
    )
    click(browser, By.XPATH, "//button[text()='Grant the role']")
    wait_for_text(browser, ".messages", "is now curriculum designer as well")
    assert set(
        Membership.objects.filter(
            organization=cast.organization, user=faculty
        ).values_list("role", flat=True)
    ) == {"faculty", "designer"}
