"""The demo's learning platform: the loopback test platform
(`python -m tests.integrations.lti.platform`) registered with the college."""

from integrations.lti.registration import register_platform
from integrations.models import LtiPlatform

DEMO_PLATFORM_URL = "http://127.0.0.1:8765"


def extend_demo(organization, users: dict) -> None:
    if LtiPlatform.objects.filter(issuer=DEMO_PLATFORM_URL).exists():
        return
    register_platform(
        organization,
        by=users["ada"],
        name="Local test platform",
        issuer=DEMO_PLATFORM_URL,
        client_id="cairn-demo",
        deployment_ids=["1"],
        auth_login_url=DEMO_PLATFORM_URL + "/authorize",
        auth_token_url=DEMO_PLATFORM_URL + "/token",
        key_set_url=DEMO_PLATFORM_URL + "/jwks",
    )
