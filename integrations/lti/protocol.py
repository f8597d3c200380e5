"""pylti1p3 wired to Cairn: launch state in the shared cache, each nonce
accepted once, every refusal one exception type."""

from django.core.cache import cache
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.launch_data_storage.cache import DjangoCacheDataStorage
from pylti1p3.exception import LtiException, OIDCException

from accounts.models import Organization
from integrations.lti.registration import OrganizationToolConf

# A nonce is kept as long as an id_token may live (platforms issue them for
# minutes; an hour covers clock skew), so a replay within that time is refused.
NONCE_SECONDS = 3600


class LaunchRefused(Exception):
    """A launch or login that Cairn does not accept; the message is for logs."""


def _storage() -> DjangoCacheDataStorage:
    return DjangoCacheDataStorage(cache_name="default")


class MessageLaunch(DjangoMessageLaunch):
    def validate_nonce(self):
        super().validate_nonce()
        body = self._get_jwt_body()
        key = f"lti:nonce-used:{body.get('iss')}:{body.get('nonce')}"
        # cache.add is atomic (Redis SET NX): of two posts of one id_token,
        # exactly one wins.
        if not cache.add(key, 1, timeout=NONCE_SECONDS):
            raise LtiException("Nonce already used")
        return self


def login_redirect(request, organization: Organization, launch_url: str):
    """Third-party initiated login (LTI 1.3 core §5.1.1): redirect to the
    platform's authorization endpoint with a fresh state and nonce."""
    conf = OrganizationToolConf(organization)
    login = DjangoOIDCLogin(request, conf, launch_data_storage=_storage())
    try:
        return login.redirect(launch_url)
    except (LtiException, OIDCException) as error:
        raise LaunchRefused(str(error)) from error


def validate_launch(request, organization: Organization):
    """The validated launch and the registered platform it came from."""
    conf = OrganizationToolConf(organization)
    launch = MessageLaunch(request, conf, launch_data_storage=_storage())
    try:
        claims = launch.get_launch_data()
    except (LtiException, KeyError, ValueError) as error:
        raise LaunchRefused(str(error)) from error
    return launch, claims, conf.platform
