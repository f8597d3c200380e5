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
