"""LTI Dynamic Registration 1.0: the platform opens Cairn's registration URL
with its OpenID configuration URL (and a one-time registration token); an
admin of the organization, signed in, confirms; Cairn reads the platform's
configuration, posts its own tool configuration to the platform's
registration endpoint, and keeps the client id and deployment the platform
answers with as a registration like one made by hand."""

from urllib.parse import urlsplit

import requests
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from accounts.models import Organization
from integrations.lti.registration import register_platform, tool_urls
from integrations.models import LtiPlatform

TIMEOUT_SECONDS = 10
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = " ".join(
    [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        # Writing back: the pathway progress columns (integrations/lti/writeback.py).
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    ]
)
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def platform_configuration(openid_configuration: str) -> dict:
    """The platform's OpenID configuration, checked (Dynamic Registration §3.5.1:
    its issuer's origin is the configuration URL's)."""
    if urlsplit(openid_configuration).scheme not in ("http", "https"):
        raise ValidationError("The platform's configuration address is not a URL.")
    try:
        answer = requests.get(openid_configuration, timeout=TIMEOUT_SECONDS)
        answer.raise_for_status()
        config = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ValidationError(
            "The learning platform's configuration could not be read."
        ) from error
    if not isinstance(config, dict) or any(not config.get(k) for k in REQUIRED):
        raise ValidationError("The learning platform's configuration is incomplete.")
    if _origin(str(config["issuer"])) != _origin(openid_configuration):
        raise ValidationError(
            "The learning platform's issuer does not match its configuration address."
        )
    if not config.get("registration_endpoint"):
        raise ValidationError("The learning platform offers no registration endpoint.")
    return config


def tool_configuration(organization: Organization, build) -> dict:
    """What Cairn asks the platform to register (Dynamic Registration §3.6)."""
    urls = tool_urls(organization, build)
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        "client_name": f"Cairn ({organization.name})",
        "jwks_uri": urls["jwks"],
        "logo_uri": urls["icon"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": SCOPES,
        TOOL_CONFIG: {
            "domain": urlsplit(urls["launch"]).netloc,
            "target_link_uri": urls["launch"],
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": urls["deep_linking"],
                    "label": "Cairn progress page",
                    "icon_uri": urls["icon"],
                }
            ],
        },
    }


def register_dynamically(
    organization: Organization,
    *,
    by: AbstractBaseUser,
    openid_configuration: str,
    registration_token: str,
    build,
) -> LtiPlatform:
    config = platform_configuration(openid_configuration)
    headers = {"Content-Type": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = requests.post(
            config["registration_endpoint"],
            json=tool_configuration(organization, build),
            headers=headers,
            timeout=TIMEOUT_SECONDS,
        )
        answer.raise_for_status()
        registered = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise ValidationError(
            "The learning platform did not accept the registration."
        ) from error
    deployment = (registered.get(TOOL_CONFIG) or {}).get("deployment_id")
    if not registered.get("client_id") or not deployment:
        raise ValidationError(
            "The learning platform's answer has no client ID or deployment."
        )
    product = (config.get(PLATFORM_CONFIG) or {}).get("product_family_code", "")
    return register_platform(
        organization,
        by=by,
        name=(product or _origin(config["issuer"]))[:120],
        issuer=config["issuer"],
        client_id=str(registered["client_id"]),
        deployment_ids=[str(deployment)],
        auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"],
    )
