"""pylti1p3 wired to Cairn: launch state in the shared cache, each nonce and
state accepted once, every refusal one exception type, and LTI platform
storage (the `lti.put_data` / `lti.get_data` postMessages of 1EdTech's "OIDC
Login with LTI Client Side postMessages") where a frame gets no cookies."""

from urllib.parse import parse_qs, urlsplit

import jwt
from django.core.cache import cache
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.cookie import DjangoCookieService
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.contrib.django.request import DjangoRequest
from pylti1p3.exception import LtiException, OIDCException

from accounts.models import Organization
from integrations.lti.registration import OrganizationToolConf
from integrations.models import LtiPlatform

# A nonce is kept as long as an id_token may live (platforms issue them for
# minutes; an hour covers clock skew), so a replay within that time is refused.
NONCE_SECONDS = 3600
# pylti1p3's state cookie lives five minutes; the server's record of it too.
STATE_SECONDS = 300
STORAGE_CHECKED = "lti_storage_checked"


class LaunchRefused(Exception):
    """A launch or login that Cairn does not accept; the message is for logs."""


class _Storage(DjangoCacheDataStorage):
    # Nonces are keyed by themselves (128 random bits), not by a session
    # cookie a third-party frame may not send.
    def get_session_cookie_name(self):
        return None


def _state_key(state: str) -> str:
    return f"lti:state:{state}"


class MessageLaunch(DjangoMessageLaunch):
    def validate_state(self):
        state = self._get_request_param("state")
        if self._get_request_param(STORAGE_CHECKED) == "1":
            # The launch page found the state in the platform's storage for
            # Cairn's origin (the browser that logged in); the server checks
            # that it issued this state and that it is used once.
            if not state or not cache.delete(_state_key(state)):
                raise LtiException("State not found")
            return self
        super().validate_state()
        cache.delete(_state_key(state))
        return self

    def validate_nonce(self):
        super().validate_nonce()
        body = self._get_jwt_body()
        key = f"lti:nonce-used:{body.get('iss')}:{body.get('nonce')}"
        # cache.add is atomic (Redis SET NX): of two posts of one id_token,
        # exactly one wins.
        if not cache.add(key, 1, timeout=NONCE_SECONDS):
            raise LtiException("Nonce already used")
        return self


class LoginRedirect:
    """Where the browser goes next, and the state cookie to set on the way."""

    def __init__(self, url: str, state: str, cookies: DjangoCookieService):
        self.url, self.state, self.cookies = url, state, cookies

    def apply(self, response):
        self.cookies.update_response(response)
        return response


def login_redirect(
    request, organization: Organization, launch_url: str
) -> LoginRedirect:
    """Third-party initiated login (LTI 1.3 core §5.1.1): the platform's
    authorization URL with a fresh state and nonce."""
    conf = OrganizationToolConf(organization)
    cookies = DjangoCookieService(DjangoRequest(request))
    login = DjangoOIDCLogin(
        request, conf, cookie_service=cookies, launch_data_storage=_Storage()
    )
    try:
        url = login.get_redirect_object(launch_url).get_redirect_url()
    except (LtiException, OIDCException) as error:
        raise LaunchRefused(str(error)) from error
    state = parse_qs(urlsplit(url).query)["state"][0]
    cache.set(_state_key(state), organization.pk, STATE_SECONDS)
    return LoginRedirect(url, state, cookies)


def named_platform(
    organization: Organization, issuer: str, client_id: str = ""
) -> LtiPlatform | None:
    """The registration a login initiation names (its `iss` and, where the
    platform sends it, `client_id`)."""
    if not issuer:
        return None
    platforms = LtiPlatform.objects.filter(organization=organization, issuer=issuer)
    if client_id:
        platforms = platforms.filter(client_id=client_id)
    return platforms.order_by("pk").first()


def unverified_platform(
    organization: Organization, id_token: str
) -> LtiPlatform | None:
    """The registration an id_token names, before it is checked: only to know
    which platform frame to ask for the state (nothing is trusted from it)."""
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else aud
    return LtiPlatform.objects.filter(
        organization=organization, issuer=claims.get("iss"), client_id=client_id
    ).first()


def validate_launch(request, organization: Organization):
    """The validated launch and the registered platform it came from."""
    conf = OrganizationToolConf(organization)
    launch = MessageLaunch(request, conf, launch_data_storage=_Storage())
    try:
        claims = launch.get_launch_data()
    except (LtiException, KeyError, ValueError) as error:
        raise LaunchRefused(str(error)) from error
    return launch, claims, conf.platform
