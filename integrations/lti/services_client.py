"""Calling a platform's LTI Advantage services (AGS, NRPS) as the tool: one
client-credentials token per platform and scope set, got with a JWT client
assertion signed by the tool key (1EdTech Security Framework §4.1), cached in
the shared cache until shortly before it expires; every call has a timeout, so
a platform that is down fails its own sync and delays nothing else."""

import hashlib

import requests
from django.core.cache import cache
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from integrations.lti.registration import pylti_registration
from integrations.models import LtiPlatform

# Platforms issue service tokens for an hour (Security Framework §4.1.1);
# keeping them 50 minutes leaves room for clock skew.
TOKEN_SECONDS = 50 * 60
TIMEOUT_SECONDS = 10

SCOPE_RESULTS = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_LINEITEMS = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_MEMBERS = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)


class PlatformUnavailable(Exception):
    """The platform did not answer, or refused the tool's request."""


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


class PlatformConnector(ServiceConnector):
    def __init__(self, platform: LtiPlatform):
        session = _TimeoutSession()
        session.headers["User-Agent"] = "Cairn LTI tool"
        super().__init__(pylti_registration(platform), session)
        self.platform = platform

    def get_access_token(self, scopes) -> str:
        # The registration and the tool key are part of the key: a token
        # never outlives a key rotation or serves another registration.
        parts = [
            self.platform.issuer,
            self.platform.client_id,
            self.platform.auth_token_url,
            self._registration.get_kid(),
            *sorted(scopes),
        ]
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        key = f"lti:token:{self.platform.pk}:{digest}"
        if token := cache.get(key):
            return token
        token = super().get_access_token(scopes)
        cache.set(key, token, TOKEN_SECONDS)
        return token

    def get_pages(
        self, scopes: list[str], url: str, accept: str, *, on_page=None
    ) -> list:
        """Every page of a paged container (RFC 8288 `Link: rel="next"`);
        `on_page()` is called after each page (a sync renews its heartbeat)."""
        items: list = []
        while url:
            try:
                response = self.make_service_request(scopes, url, accept=accept)
            except (requests.RequestException, LtiServiceException) as error:
                raise PlatformUnavailable(str(error)) from error
            body = response["body"]
            items.extend(body.get("members", []) if isinstance(body, dict) else body)
            url = response["next_page_url"]
            if on_page is not None:
                on_page()
        return items
