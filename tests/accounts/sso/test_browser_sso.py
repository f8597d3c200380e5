"""Signing in through the real local identity providers in Chromium: the real
redirects, the providers' real signatures, Cairn's provisioning and refusals."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from selenium.webdriver.common.by import By

from accounts.models import AuditEntry, IdentityProvider, Membership
from accounts.sso import mapping, services
from tests import builders, factories
from tests.accounts.sso.conftest import CLIENT_SECRET
from tests.test_browser import (
    click_and_wait_for_new_page,
    log_in,
    log_out,
    wait_for_text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RULES = [
    mapping.Rule("groups", "faculty-staff", "faculty"),
    mapping.Rule("groups", "curriculum", "designer"),
]


def ada(**changes) -> dict:
    return {
        "email": "ada@north.edu",
        "email_verified": True,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "groups": ["faculty-staff"],
        **changes,
    }


def add_provider(organization, providers, protocol: str) -> IdentityProvider:
    common = {
        "name": f"North {protocol.upper()}",
        "slug": f"north-{protocol}",
        "protocol": protocol,
        "email_domains": ["north.edu"],
        "rules": RULES,
        "default_role": "learner",
    }
    if protocol == "oidc":
        return services.create_identity_provider(
            organization,
            by=None,
            discovery_url=providers.oidc_discovery,
            client_id="cairn",
            client_secret=CLIENT_SECRET,
            **common,
        )
    return services.create_identity_provider(
        organization,
        by=None,
        metadata_url=providers.saml_metadata,
        entity_id=providers.saml_entity_id,
        **common,
    )


def continue_with_organization(browser, live_server, email: str) -> None:
    """Off to the provider; the login page is gone when this returns, so that
    sign_in_at_provider never takes Cairn's own username field (of the login
    page still showing) for the SAML provider's."""
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.ID, "id_sso_email").send_keys(email)
    click_and_wait_for_new_page(
        browser, By.XPATH, "//section//button[text()='Continue']"
    )


def sign_in_at_provider(browser, username: str) -> None:
    """The provider's own sign-in form (oidc-provider's or the SAML IdP's);
    a provider that remembers the person skips it."""
    for name in ("login", "username"):
        fields = browser.find_elements(By.NAME, name)
        if fields:
            fields[0].send_keys(username)
            passwords = browser.find_elements(By.NAME, "password")
            if passwords:
                passwords[0].send_keys("any")
            browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            return


def roles_of(user, organization) -> set[str]:
    return set(
        Membership.objects.filter(user=user, organization=organization).values_list(
            "role", flat=True
        )
    )


@pytest.mark.parametrize("protocol", ["oidc", "saml"])
def test_first_sign_in_provisions_and_a_later_one_updates_roles(
    browser, live_server, providers, protocol
):
    cast = builders.make_cast()
    add_provider(cast.organization, providers, protocol)
    providers.set_users(ada=ada())

    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "header", "Log out")
    user = get_user_model().objects.get(email="ada@north.edu")
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert roles_of(user, cast.organization) == {"faculty"}
    assert SocialAccount.objects.filter(
        user=user, provider=f"north-{protocol}"
    ).exists()

    log_out(browser)
    providers.set_users(ada=ada(groups=["curriculum"], family_name="King"))
    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "header", "Log out")
    user.refresh_from_db()
    assert user.last_name == "King"
    assert roles_of(user, cast.organization) == {"designer"}
    assert get_user_model().objects.filter(email="ada@north.edu").count() == 1
    actions = set(
        AuditEntry.objects.filter(organization=cast.organization).values_list(
            "action", flat=True
        )
    )
    assert {
        "sso.account_provisioned",
        "sso.signed_in",
        "sso.role_granted",
        "sso.role_withdrawn",
        "sso.profile_updated",
    } <= actions


@pytest.mark.parametrize("protocol", ["oidc", "saml"])
def test_an_existing_account_is_linked_by_a_verified_email_only(
    browser, live_server, providers, protocol
):
    cast = builders.make_cast()
    add_provider(cast.organization, providers, protocol)
    existing = factories.UserFactory(email="ada@north.edu")
    address = EmailAddress.objects.create(
        user=existing, email="ada@north.edu", verified=False, primary=True
    )
    providers.set_users(ada=ada())

    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "main", "exists in Cairn already")
    assert not SocialAccount.objects.exists()
    assert roles_of(existing, cast.organization) == set()
    assert "Log out" not in browser.find_element(By.TAG_NAME, "header").text

    address.verified = True
    address.save(update_fields=["verified"])
    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "header", "Log out")
    assert SocialAccount.objects.get().user == existing
    assert roles_of(existing, cast.organization) == {"faculty"}
    assert get_user_model().objects.filter(email="ada@north.edu").count() == 1
    assert AuditEntry.objects.filter(action="sso.account_linked").count() == 1


def test_an_unverified_email_at_the_provider_links_nothing(
    browser, live_server, providers
):
    cast = builders.make_cast()
    add_provider(cast.organization, providers, "oidc")
    existing = factories.UserFactory(email="ada@north.edu")
    EmailAddress.objects.create(user=existing, email="ada@north.edu", verified=True)
    providers.set_users(ada=ada(email_verified=False))
    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "main", "exists in Cairn already")
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("forgery", "message"),
    [("wrong-audience", "wrong audience"), ("bad-signature", "altered or forged")],
)
def test_a_forged_id_token_is_refused(
    browser, live_server, providers, forgery, message
):
    cast = builders.make_cast()
    add_provider(cast.organization, providers, "oidc")
    providers.set_users(ada=ada())
    providers.set_mode(oidc=forgery)
    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "main", message)
    assert not get_user_model().objects.filter(email="ada@north.edu").exists()
    assert AuditEntry.objects.filter(action="sso.sign_in_refused").exists()


def test_an_admin_sets_up_saml_in_the_browser_and_people_sign_in(
    browser, live_server, providers
):
    cast = builders.make_cast()
    providers.set_users(ada=ada(groups=["faculty-staff"]))
    log_in(browser, live_server, cast["admin"])
    browser.get(
        live_server.url
        + reverse("accounts:sso-providers", args=[cast.organization.slug])
    )
    wait_for_text(browser, "main", "No identity provider yet")
    browser.find_element(By.LINK_TEXT, "Add SAML 2.0 provider").click()
    fill = {
        "id_name": "North Shibboleth",
        "id_slug": "north-shib",
        "id_metadata_url": providers.saml_metadata,
        "id_entity_id": providers.saml_entity_id,
        "id_email_domains_text": "north.edu",
        "id_rules_text": "groups, faculty-staff, faculty",
    }
    for field, value in fill.items():
        browser.find_element(By.ID, field).send_keys(value)
    browser.find_element(By.XPATH, "//button[text()='Add provider']").click()
    wait_for_text(browser, "main", "Assertion consumer service")
    assert (
        "/auth/saml/north-shib/acs/" in browser.find_element(By.TAG_NAME, "main").text
    )
    log_out(browser)

    continue_with_organization(browser, live_server, "ada@north.edu")
    sign_in_at_provider(browser, "ada")
    wait_for_text(browser, "header", "Log out")
    user = get_user_model().objects.get(email="ada@north.edu")
    assert roles_of(user, cast.organization) == {"faculty"}
    assert AuditEntry.objects.filter(
        action="sso.provider_added", actor=cast["admin"]
    ).exists()
