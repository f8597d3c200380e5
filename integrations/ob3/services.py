"""The Open Badges 3.0 API's changes: a host registering itself (RFC 7591),
the apps a person allowed and takes back, credentials a host stores for a
person (upsertCredential) and the person's name (putProfile)."""

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

from accounts.audit import log_action
from accounts.lifecycle import services as lifecycle
from credentials.services import verify_credential
from credentials.services.outside import badge_date
from integrations.models import AppAuthorization, HostRegistration, PushedCredential
from integrations.ob3 import scopes

logger = logging.getLogger(__name__)
Application = get_application_model()

REQUIRED_METADATA = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "redirect_uris",
    "scope",
)
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
GRANT_TYPES = ("authorization_code", "refresh_token")
# Verdicts that say the credential is not what it claims: never stored.
REFUSED_VERDICTS = ("tampered", "invalid", "unprocessable", "revoked", "suspended")
CREDENTIAL_TYPES = ("AchievementCredential", "OpenBadgeCredential")


class RegistrationError(Exception):
    """A registration refused, as RFC 7591 §3.2.2 says it: an error code and
    a description."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


def _url(value: object, field: str, *, error: str = "invalid_client_metadata"):
    schemes = settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
    if not isinstance(value, str) or len(value) > 500:
        raise RegistrationError(error, f"{field} must be a URL.")
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        raise RegistrationError(
            error, f"{field} must be an absolute {' or '.join(schemes)} URL."
        )
    if parts.fragment:
        raise RegistrationError(error, f"{field} must not have a fragment.")
    return value


def _text(metadata: dict[str, Any], field: str, limit: int) -> str:
    value = metadata.get(field)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise RegistrationError(
            "invalid_client_metadata",
            f"{field} must be text of 1 to {limit} characters.",
        )
    return value.strip()


def _registration(metadata: object) -> dict[str, Any]:
    """The registration's metadata, checked; RegistrationError says what is
    wrong (the specification's required fields, RFC 7591's errors)."""
    if not isinstance(metadata, dict):
        raise RegistrationError(
            "invalid_client_metadata", "The body must be a JSON object."
        )
    missing = [field for field in REQUIRED_METADATA if field not in metadata]
    if missing:
        raise RegistrationError(
            "invalid_client_metadata", f"Missing: {', '.join(missing)}."
        )
    redirect_uris = metadata["redirect_uris"]
    if not isinstance(redirect_uris, list) or not redirect_uris:
        raise RegistrationError(
            "invalid_redirect_uri", "redirect_uris must be a list of URLs."
        )
    for uri in redirect_uris:
        _url(uri, "Each redirect URI", error="invalid_redirect_uri")
    asked = _text(metadata, "scope", 2000).split()
    unknown = [s for s in asked if s not in (*scopes.OB3_SCOPES, scopes.OFFLINE_ACCESS)]
    if unknown:
        raise RegistrationError(
            "invalid_client_metadata",
            f"Unknown scopes: {' '.join(unknown)}. A host may register for the "
            "Open Badges 3.0 scopes only.",
        )
    if not set(asked) & set(scopes.OB3_SCOPES):
        raise RegistrationError(
            "invalid_client_metadata", "scope must name an Open Badges 3.0 scope."
        )
    method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in AUTH_METHODS:
        raise RegistrationError(
            "invalid_client_metadata",
            f"token_endpoint_auth_method must be one of {', '.join(AUTH_METHODS)}.",
        )
    grants = metadata.get("grant_types", list(GRANT_TYPES))
    if (
        not isinstance(grants, list)
        or "authorization_code" not in grants
        or not set(grants) <= set(GRANT_TYPES)
    ):
        raise RegistrationError(
            "invalid_client_metadata",
            "grant_types must be authorization_code, with refresh_token if wanted.",
        )
    if metadata.get("response_types", ["code"]) != ["code"]:
        raise RegistrationError(
            "invalid_client_metadata", 'response_types must be ["code"].'
        )
    contacts = metadata.get("contacts", [])
    if not isinstance(contacts, list) or not all(
        isinstance(c, str) and len(c) <= 254 for c in contacts
    ):
        raise RegistrationError(
            "invalid_client_metadata", "contacts must be a list of e-mail addresses."
        )
    return {
        "client_name": _text(metadata, "client_name", 255),
        "client_uri": _url(metadata["client_uri"], "client_uri"),
        "logo_uri": _url(metadata["logo_uri"], "logo_uri"),
        "tos_uri": _url(metadata["tos_uri"], "tos_uri"),
        "policy_uri": _url(metadata["policy_uri"], "policy_uri"),
        "software_id": _text(metadata, "software_id", 200),
        "software_version": _text(metadata, "software_version", 100),
        "redirect_uris": redirect_uris,
        "scope": " ".join(dict.fromkeys(asked)),
        "token_endpoint_auth_method": method,
        "grant_types": list(dict.fromkeys(grants)),
        "response_types": ["code"],
        "contacts": contacts,
    }


@transaction.atomic
def register_host(metadata: object) -> tuple[HostRegistration, dict[str, Any]]:
    """Register a host (a wallet, a backpack) as an OAuth client of its own
    (RFC 7591): authorization code with PKCE, the scopes it registered and no
    others. Returns it and the registration response, whose client secret is
    never shown again."""
    data = _registration(metadata)
    public = data["token_endpoint_auth_method"] == "none"
    secret = generate_client_secret()
    application = Application(
        name=data["client_name"],
        client_type=Application.CLIENT_PUBLIC
        if public
        else Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(data["redirect_uris"]),
        client_secret=secret,
        algorithm=Application.NO_ALGORITHM,
    )
    try:
        application.full_clean(exclude=["client_secret"])
    except ValidationError as error:
        raise RegistrationError(
            "invalid_redirect_uri"
            if "redirect_uris" in error.message_dict
            else "invalid_client_metadata",
            " ".join(m for ms in error.message_dict.values() for m in ms),
        ) from error
    application.save()
    host = HostRegistration.objects.create(
        application=application,
        **{
            field: data[field]
            for field in (
                "client_uri",
                "logo_uri",
                "tos_uri",
                "policy_uri",
                "software_id",
                "software_version",
                "contacts",
                "scope",
            )
        },
    )
    # A registration is anonymous and belongs to no organization: the audit
    # trail has no place for it until a person allows the host.
    logger.info(
        "OB 3.0 host registered: %s (%s), client %s",
        data["client_name"],
        data["software_id"],
        application.client_id,
    )
    answer = {
        "client_id": application.client_id,
        "client_id_issued_at": int(host.registered_at.timestamp()),
        **{k: v for k, v in data.items() if k != "contacts" or v},
    }
    if not public:
        answer["client_secret"] = secret
        answer["client_secret_expires_at"] = 0  # never
    return host, answer


# The apps a person allowed


@transaction.atomic
def disconnect_app(authorization: AppAuthorization, *, by: AbstractBaseUser) -> None:
    """A person takes their consent back: every token and code the app holds
    for them is deleted at once, and the app must ask again."""
    authorization = AppAuthorization.objects.select_for_update().get(
        pk=authorization.pk
    )
    application = authorization.application
    for organization in lifecycle.organizations_of(authorization.user):
        log_action(
            by,
            "oauth_app.disconnected",
            authorization,
            organization=organization,
            name=application.name,
            client_id=application.client_id,
            scopes=authorization.scope,
        )
    owned = {"user_id": authorization.user_id, "application_id": application.pk}
    get_refresh_token_model().objects.filter(**owned).delete()
    get_access_token_model().objects.filter(**owned).delete()
    get_grant_model().objects.filter(**owned).delete()
    authorization.delete()


# Credentials a host stores for a person


class CredentialRefused(ValidationError):
    """upsertCredential refused the credential; the message says why."""


def _is_achievement_credential(document: dict[str, Any]) -> bool:
    kinds = document.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return (
        isinstance(kinds, list)
        and "VerifiableCredential" in kinds
        and any(kind in kinds for kind in CREDENTIAL_TYPES)
    )


def _issuer_id(document: dict[str, Any]) -> str:
    issuer = document.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) else ""


@transaction.atomic
def upsert_credential(
    learner: AbstractBaseUser,
    document: object,
    *,
    jwt: str = "",
    application=None,
) -> tuple[PushedCredential | None, bool]:
    """Store an Open Badges 3.0 credential a host sends for `learner`, after
    Cairn's own verification; the same issuer and id again replaces it (OB 3.0
    credential equality). Returns the stored credential (None if it is one of
    the learner's own Cairn awards, kept already) and whether it is new."""
    if not isinstance(document, dict) or not _is_achievement_credential(document):
        raise CredentialRefused(
            "The body must be an Open Badges 3.0 AchievementCredential (its type "
            "names VerifiableCredential and AchievementCredential or "
            "OpenBadgeCredential)."
        )
    credential_id, issuer_id = document.get("id"), _issuer_id(document)
    if not isinstance(credential_id, str) or not credential_id or not issuer_id:
        raise CredentialRefused("The credential must have an id and an issuer id.")
    if len(credential_id) > 500 or len(issuer_id) > 500:
        raise CredentialRefused("The credential's id or issuer id is too long.")
    verdict = verify_credential(document, jwt=jwt)
    if verdict.status in REFUSED_VERDICTS:
        raise CredentialRefused(f"Cairn did not store it: {verdict.headline}")
    if verdict.award is not None:
        if verdict.award.learner_id != learner.pk:
            raise CredentialRefused(
                "This credential was issued by Cairn to someone else."
            )
        return None, False  # the learner's own award: it is here already
    issued = document.get("validFrom") or document.get("issuanceDate")
    issued_at = badge_date(issued if isinstance(issued, str) else "")
    stored = (
        PushedCredential.objects.select_for_update()
        .filter(learner=learner, issuer_id=issuer_id, credential_id=credential_id)
        .first()
    )
    created = stored is None
    if created:
        stored = PushedCredential(
            learner=learner, issuer_id=issuer_id, credential_id=credential_id
        )
    stored.credential, stored.jwt = document, jwt
    stored.issued_at = issued_at or timezone.now()
    stored.verdict, stored.verdict_text = verdict.status, verdict.headline
    stored.pushed_by = application
    stored.save()
    for organization in lifecycle.organizations_of(learner):
        log_action(
            learner,
            "ob3.credential_stored" if created else "ob3.credential_replaced",
            stored,
            organization=organization,
            credential=credential_id,
            issuer=issuer_id,
            verdict=verdict.status,
        )
    return stored, created


# The person's profile

PROFILE_NAME_FIELDS = ("givenName", "familyName", "name")


def update_profile(user: AbstractBaseUser, document: object) -> AbstractBaseUser:
    """putProfile: the person's name, from a Profile. givenName and familyName
    set the given and family names; a `name` alone becomes the given name. The
    e-mail address is changed only on the account page, where it is verified."""
    if not isinstance(document, dict):
        raise ValidationError("The body must be a Profile object.")
    kinds = document.get("type", "Profile")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or "Profile" not in kinds:
        raise ValidationError("The body's type must be Profile.")
    for field in PROFILE_NAME_FIELDS:
        value = document.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > 150):
            raise ValidationError(f"{field} must be text of at most 150 characters.")
    email = document.get("email")
    if email is not None and (
        not isinstance(email, str) or email.strip().lower() != user.email.lower()
    ):
        raise ValidationError(
            "The e-mail address cannot be changed through this API: the person "
            "changes it on their account page, where it is verified."
        )
    first, last = user.first_name, user.last_name
    if "givenName" in document or "familyName" in document:
        first = document.get("givenName", first) or ""
        last = document.get("familyName", last) or ""
    elif document.get("name"):
        first, last = document["name"], ""
    first, last = first.strip(), last.strip()
    if not (first or last):
        raise ValidationError("The profile must keep a name.")
    if (first, last) == (user.first_name, user.last_name):
        return user
    with transaction.atomic():
        before = user.get_full_name()
        lifecycle.update_name(user, first_name=first, last_name=last)
        for organization in lifecycle.organizations_of(user):
            log_action(
                user,
                "profile.updated",
                user,
                organization=organization,
                before=before,
                after=user.get_full_name(),
            )
    return user
