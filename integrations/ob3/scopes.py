"""The Open Badges 3.0 API's scopes, and which scopes each OAuth client may
ask for: a host that registered itself (RFC 7591) only those it registered
for, any other client only Cairn's own API scopes (read, grade, issue, admin)."""

from django.conf import settings
from oauth2_provider.scopes import SettingsScopes

_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READONLY = _BASE + "credential.readonly"
CREDENTIAL_UPSERT = _BASE + "credential.upsert"
PROFILE_READONLY = _BASE + "profile.readonly"
PROFILE_UPDATE = _BASE + "profile.update"
# Asked for beside them in the specification's examples; refresh tokens are
# given to every client, so it adds nothing but is understood.
OFFLINE_ACCESS = "offline_access"

OB3_SCOPES = (CREDENTIAL_READONLY, CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE)


def descriptions() -> dict[str, str]:
    """The OB 3.0 scopes in plain words, as the consent page names them."""
    return {scope: settings.CAIRN_OB3_SCOPES[scope] for scope in OB3_SCOPES}


class ScopesBackend(SettingsScopes):
    """django-oauth-toolkit's scopes, per client."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        host = getattr(application, "ob3_host", None) if application else None
        if host is not None:
            return host.scopes
        if application is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        return list(settings.CAIRN_API_SCOPES)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        host = getattr(application, "ob3_host", None) if application else None
        if host is not None:
            return [scope for scope in host.scopes if scope != OFFLINE_ACCESS]
        return super().get_default_scopes(application, request, *args, **kwargs)
