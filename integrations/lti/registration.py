"""Registering a platform by hand, and the pylti1p3 tool configuration read
from the registrations (one organization at a time: a platform registered by
another organization is unknown here)."""

from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.templatetags.static import static
from django.urls import reverse
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from accounts.audit import log_action
from accounts.models import Organization
from accounts.people.permissions import can_manage_people
from integrations.lti import rules
from integrations.lti.keys import tool_key
from integrations.models import LtiAwardRule, LtiPlatform

PLATFORM_FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "auth_audience",
    "key_set_url",
    "key_set",
    "link_by_email",
)


def can_manage_lti(user: AbstractBaseUser, organization: Organization) -> bool:
    return can_manage_people(user, organization)


def _check(by: AbstractBaseUser, organization: Organization) -> None:
    if not can_manage_lti(by, organization):
        raise PermissionDenied("Only the organization's admins register platforms.")


def _clean_deployments(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    ids = [str(item).strip() for item in value or [] if str(item).strip()]
    if not ids:
        raise ValidationError({"deployment_ids": "Give at least one deployment ID."})
    return list(dict.fromkeys(ids))


@transaction.atomic
def register_platform(
    organization: Organization, *, by: AbstractBaseUser, **fields
) -> LtiPlatform:
    """Register a platform by hand; the tool key is made with the first one."""
    _check(by, organization)
    fields["deployment_ids"] = _clean_deployments(fields.get("deployment_ids"))
    platform = LtiPlatform(organization=organization, **fields)
    platform.full_clean()
    platform.save()
    tool_key(organization)
    log_action(
        by,
        "lti.platform_registered",
        platform,
        organization=organization,
        issuer=platform.issuer,
        client_id=platform.client_id,
    )
    return platform


@transaction.atomic
def update_platform(
    platform: LtiPlatform, *, by: AbstractBaseUser, **fields
) -> LtiPlatform:
    _check(by, platform.organization)
    fields["deployment_ids"] = _clean_deployments(fields.get("deployment_ids"))
    for name, value in fields.items():
        setattr(platform, name, value)
    platform.full_clean()
    platform.save(update_fields=list(fields))
    log_action(
        by,
        "lti.platform_changed",
        platform,
        organization=platform.organization,
        fields=sorted(fields),
    )
    return platform


@transaction.atomic
def set_letter_scale(
    platform: LtiPlatform, *, by: AbstractBaseUser, scale: str
) -> LtiPlatform:
    """Change the letters the platform's grades are read as (`A 90` a line,
    highest first); a letter an award rule asks for cannot be taken away."""
    _check(by, platform.organization)
    platform = LtiPlatform.objects.select_for_update().get(pk=platform.pk)
    try:
        parsed = rules.parse_scale(scale)
    except rules.ScaleError as error:
        raise ValidationError({"scale": str(error)}) from None
    letters = {letter for letter, _ in parsed}
    used = set(
        LtiAwardRule.objects.filter(context__platform=platform)
        .exclude(min_letter="")
        .values_list("min_letter", flat=True)
    )
    if missing := sorted(used - letters):
        raise ValidationError(
            {
                "scale": f"A course's award rule asks for {', '.join(missing)}: "
                "keep the letter, or remove that rule first."
            }
        )
    before = platform.letter_scale
    platform.letter_scale = [
        [letter, int(low) if low == low.to_integral() else float(low)]
        for letter, low in parsed
    ]
    platform.save(update_fields=["letter_scale"])
    log_action(
        by,
        "lti.letter_scale_changed",
        platform,
        organization=platform.organization,
        before=before,
        after=platform.letter_scale,
    )
    return platform


@transaction.atomic
def set_frame_origins(
    platform: LtiPlatform, *, by: AbstractBaseUser, addresses: str
) -> LtiPlatform:
    """Where the platform's course pages are served, when not at its issuer
    or login URL: one web address a line, kept as origins."""
    _check(by, platform.organization)
    platform = LtiPlatform.objects.select_for_update().get(pk=platform.pk)
    found = []
    for line in addresses.replace(",", "\n").splitlines():
        if not (address := line.strip()):
            continue
        parts = urlsplit(address)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValidationError(
                {
                    "addresses": f"“{address[:80]}” is not a web address: give it "
                    "as the browser shows it, such as https://college.instructure.com."
                }
            )
        found.append(f"{parts.scheme}://{parts.netloc}".lower())
    before = platform.frame_origins
    platform.frame_origins = list(dict.fromkeys(found))
    platform.save(update_fields=["frame_origins"])
    log_action(
        by,
        "lti.course_sites_changed",
        platform,
        organization=platform.organization,
        before=before,
        after=platform.frame_origins,
    )
    return platform


@transaction.atomic
def remove_platform(platform: LtiPlatform, *, by: AbstractBaseUser) -> None:
    _check(by, platform.organization)
    log_action(
        by,
        "lti.platform_removed",
        platform,
        organization=platform.organization,
        issuer=platform.issuer,
    )
    platform.delete()


def tool_urls(organization: Organization, build) -> dict[str, str]:
    """The URLs a platform admin copies into the LMS; `build` makes them absolute."""
    names = {
        "login": "integrations:lti-login",
        "launch": "integrations:lti-launch",
        "deep_linking": "integrations:lti-launch",
        "jwks": "integrations:lti-jwks",
        "registration": "integrations:lti-dynamic-registration",
    }
    urls = {
        key: build(reverse(name, args=[organization.slug]))
        for key, name in names.items()
    }
    # The icon platforms show beside the link (Canvas, Moodle, Brightspace).
    urls["icon"] = build(static("img/cairn-icon.png"))
    return urls


class ToolRegistration(Registration):
    """pylti1p3 takes the kid from a public key it is handed; Cairn's key
    store already knows it."""

    kid = ""

    def get_kid(self) -> str:
        return self.kid


def pylti_registration(platform: LtiPlatform) -> ToolRegistration:
    key = tool_key(platform.organization)
    registration = (
        ToolRegistration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url or None)
        .set_key_set(platform.key_set or None)
        .set_tool_private_key(key.open_private_key())
    )
    registration.kid = key.kid
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    return registration


class OrganizationToolConf(ToolConfAbstract):
    """pylti1p3's view of one organization's registrations."""

    def __init__(self, organization: Organization):
        self.organization = organization
        self.issuers_relation_types = {}
        self.platform: LtiPlatform | None = None

    def _find(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        found = LtiPlatform.objects.filter(organization=self.organization, issuer=iss)
        if client_id:
            found = found.filter(client_id=client_id)
        platforms = list(found[:2])
        # Without a client id, the issuer must name one registration.
        if len(platforms) != 1:
            return None
        return platforms[0]

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self._find(iss, client_id)
        if platform is None:
            return None
        self.platform = platform
        return pylti_registration(platform)

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kw):
        platform = self._find(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)
