"""LTI Dynamic Registration with the loopback platform."""

from django.contrib.staticfiles import finders

from integrations.models import LtiPlatform
from tests.integrations.lti.platform import Platform


def _register_page(cast):
    return f"/integrations/lti/{cast.organization.slug}/register/"


def test_an_admin_registers_a_platform_that_opened_the_registration_url(cast, client):
    platform = Platform()
    try:
        client.force_login(cast["admin"])
        query = {
            "openid_configuration": platform.url + "/.well-known/openid-configuration",
            "registration_token": "one-time-token",
        }
        page = client.get(_register_page(cast), query)
        assert page.status_code == 200
        assert b"Register the platform" in page.content
        done = client.post(_register_page(cast), query)
        assert done.status_code == 200
        assert b"data-lti-registered" in done.content
        registered = LtiPlatform.objects.get(organization=cast.organization)
        assert registered.issuer == platform.issuer
        assert registered.client_id == platform.client_id
        assert registered.deployment_ids == [platform.deployment_id]
        assert registered.key_set_url == platform.url + "/jwks"
        sent = platform.tool_registration
        slug = cast.organization.slug
        assert sent["initiate_login_uri"].endswith(f"/integrations/lti/{slug}/login/")
        assert sent["jwks_uri"].endswith(f"/integrations/lti/{slug}/jwks/")
        # The icon the platform shows beside the link, served from static files.
        assert sent["logo_uri"].endswith("/static/img/cairn-icon.png")
        messages = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
        assert messages["messages"][0]["icon_uri"] == sent["logo_uri"]
        assert finders.find("img/cairn-icon.png")
        listing = client.get(f"/integrations/organizations/{slug}/lti/")
        assert sent["logo_uri"].encode() in listing.content
        # The token was for one use: a second attempt is refused by the platform.
        again = client.post(_register_page(cast), query)
        assert again.status_code == 400
        assert LtiPlatform.objects.count() == 1
    finally:
        platform.stop()


def test_a_configuration_whose_issuer_is_elsewhere_is_refused(cast, client):
    platform = Platform()
    try:
        platform.issuer = "https://elsewhere.example"
        client.force_login(cast["admin"])
        answer = client.post(
            _register_page(cast),
            {
                "openid_configuration": platform.url
                + "/.well-known/openid-configuration",
                "registration_token": "one-time-token",
            },
        )
        assert answer.status_code == 400
        assert b"does not match" in answer.content
        assert not LtiPlatform.objects.exists()
    finally:
        platform.stop()


def test_only_an_admin_registers(cast, client):
    client.force_login(cast["faculty"])
    assert client.get(_register_page(cast)).status_code == 403
