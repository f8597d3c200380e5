"""A real browser: an admin suspends a credential; a stranger uploads it."""

import json

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from credentials.models import Award
from tests import builders
from tests.test_browser import (  # noqa: F401 (the browser fixture)
    browser,
    log_in,
    wait_for_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_suspend_by_keyboard_then_a_stranger_checks_the_uploaded_file(
    browser,  # noqa: F811
    live_server,
    tmp_path,
):
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    # The admin chooses a suspension entry for what the organization issues.
    log_in(browser, live_server, cast["admin"])
    browser.get(
        live_server.url + reverse("credentials:issuer", args=[cast.organization.slug])
    )
    browser.find_element(By.NAME, "suspension_entry").send_keys(Keys.SPACE)
    browser.find_element(
        By.XPATH, "//button[text()='Save how credentials are signed']"
    ).send_keys(Keys.ENTER)
    wait_for_text(browser, ".messages", "signed this way")
    builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    assert len(award.credential["credentialStatus"]) == 2
    browser.get(live_server.url + award.get_absolute_url())
    browser.find_element(By.LINK_TEXT, "Suspend…").send_keys(Keys.ENTER)
    browser.find_element(By.ID, "id_reason").send_keys("Checking the evidence.")
    browser.find_element(By.ID, "id_confirm").send_keys(Keys.SPACE)
    browser.find_element(By.XPATH, "//button[text()='Suspend']").send_keys(Keys.ENTER)
    wait_for_text(browser, "[role=status].verdict", "Suspended")
    browser.find_element(By.CSS_SELECTOR, "header form button").click()
    browser.find_element(By.LINK_TEXT, "Log in")

    path = tmp_path / "credential.json"
    path.write_text(json.dumps(award.credential))
    browser.get(live_server.url + reverse("credentials:verify-upload"))
    browser.find_element(By.ID, "id_file").send_keys(str(path))
    browser.find_element(By.XPATH, "//button[text()='Check']").click()
    wait_for_text(browser, ".verdict", "Suspended")
    status = browser.find_element(By.CSS_SELECTOR, "li[data-check='status']")
    assert "Checking the evidence." in status.text


@pytest.mark.node
def test_a_learner_sends_a_credential_to_a_wallet_and_sees_it_arrive(
    browser,  # noqa: F811
    live_server,
):
    """The learner makes a wallet link; a wallet (Digital Bazaar's libraries
    under Node, as the Learner Credential Wallet signs) answers it over HTTP;
    the page, polling with htmx, shows the wallet's DID without a reload."""
    import html
    import urllib.request
    from urllib.parse import parse_qs, urlsplit

    from django.conf import settings

    from tests.credentials.test_wallet import sign_as_wallet

    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    log_in(browser, live_server, cast["learner"])
    browser.get(live_server.url + award.get_absolute_url())
    browser.find_element(By.LINK_TEXT, "Send to my wallet").click()
    wait_for_text(browser, "#handoff", "No wallet link is open yet")
    browser.find_element(By.XPATH, "//button[text()='Make a wallet link']").click()
    wait_for_text(browser, "#handoff", "The link works once")
    assert browser.find_element(By.CSS_SELECTOR, ".wallet-qr svg")
    deep_link = browser.find_element(By.LINK_TEXT, "Open in my wallet")
    link = html.unescape(deep_link.get_attribute("href"))
    assert link.startswith("dccrequest://request?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    did, presentation = sign_as_wallet(query["challenge"])
    request = urllib.request.Request(
        live_server.url + query["vc_request_url"].removeprefix(settings.SITE_URL),
        data=json.dumps(presentation).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert json.load(response)["credentialSubject"]["id"] == did
    wait_for_text(browser, "#handoff", did)  # polled every 5 s: the usual limit
    assert "No wallet link is open" in browser.find_element(By.ID, "handoff").text
