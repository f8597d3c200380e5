"""In Chromium: a person who forgot their password gets back in by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.factories import UserFactory
from tests.test_browser import browser, click, wait_for_text  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    browser,  # noqa: F811
    live_server,
):
    person = UserFactory(email="ada@college.edu")
    browser.get(live_server.url + reverse("login"))
    click(browser, By.LINK_TEXT, "Forgotten your password?")
    wait_for_text(browser, "main h1", "Forgotten password")
    browser.find_element(By.ID, "id_email").send_keys("ada@college.edu", Keys.ENTER)
    wait_for_text(browser, "main h1", "Check your e-mail")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/auth/password/reset/key/\S+/", message.body)
    browser.get(link.group(0))
    wait_for_text(browser, "main h1", "Choose a new password")
    browser.find_element(By.ID, "id_password1").send_keys("a-long new secret 42")
    browser.find_element(By.ID, "id_password2").send_keys(
        "a-long new secret 42", Keys.ENTER
    )
    wait_for_text(browser, "main h1", "Password changed")

    click(browser, By.CSS_SELECTOR, "main a[href='/accounts/login/']")
    browser.find_element(By.ID, "id_username").send_keys(person.username)
    browser.find_element(By.ID, "id_password").send_keys(
        "a-long new secret 42", Keys.ENTER
    )
    click(browser, By.CSS_SELECTOR, "header a.who")
    wait_for_text(browser, "main h1", "Your account")
    assert "(this session)" in browser.find_element(By.TAG_NAME, "main").text


def test_a_student_registers_and_becomes_a_learner_once_verified(
    browser,  # noqa: F811
    live_server,
):
    from accounts.lifecycle import services
    from accounts.models import Membership
    from tests import builders

    cast = builders.make_cast()
    services.set_signup_policy(
        cast.organization, by=cast["admin"], is_open=True, email_domains=["college.edu"]
    )
    browser.get(
        live_server.url + reverse("accounts:join", args=[cast.organization.slug])
    )
    wait_for_text(browser, "main h1", f"Register with {cast.organization.name}")
    browser.find_element(By.ID, "id_email").send_keys("sam@college.edu")
    browser.find_element(By.ID, "id_username").send_keys("sam")
    browser.find_element(By.ID, "id_password1").send_keys("a-long secret 42")
    browser.find_element(By.ID, "id_password2").send_keys(
        "a-long secret 42", Keys.ENTER
    )
    wait_for_text(browser, "main h1", "Your account")
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "sam@college.edu" in page
    assert "Not verified" in page
    assert not Membership.objects.filter(user__username="sam").exists()

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/auth/confirm-email/\S+/", message.body)
    browser.get(link.group(0))
    click(browser, By.XPATH, "//main//button[text()='Confirm']")
    wait_for_text(browser, "main h1", "Your account")
    assert "Verified" in browser.find_element(By.TAG_NAME, "main").text
    membership = Membership.objects.get(user__username="sam")
    assert membership.organization == cast.organization
    assert membership.role == Membership.Role.LEARNER
