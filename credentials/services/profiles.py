"""Issuer profiles: the organization's logo on certificates."""

from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import UnidentifiedImageError

from accounts.audit import log_action
from accounts.models import Organization
from credentials import tasks
from credentials.models import IssuerProfile
from credentials.services.issuing import RERENDER_BATCH, stale_certificates
from curriculum.badge_images import BadgeImageError, open_image

MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


@transaction.atomic
def set_issuer_logo(organization: Organization, *, by, content: bytes) -> IssuerProfile:
    """Store a PNG or JPEG logo; certificates are rendered again with it."""
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError({"logo": "A logo may be at most 512 KB."})
    try:
        with open_image(content) as image:
            image.verify()
            kind = image.format
    except BadgeImageError as error:
        raise ValidationError({"logo": str(error)}) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ValidationError(
            {"logo": "This file is not a PNG or JPEG image."}
        ) from error
    if kind not in LOGO_TYPES:
        raise ValidationError({"logo": "Upload the logo as PNG or JPEG."})
    profile, _ = IssuerProfile.objects.select_for_update().get_or_create(
        organization=organization
    )
    profile.logo = content
    profile.logo_type = LOGO_TYPES[kind]
    profile.save(update_fields=["logo", "logo_type", "updated_at"])
    log_action(by, "issuer.logo_changed", profile, organization=organization)
    tasks.rerender_certificates.delay_on_commit(organization.pk)
    return profile


def rerender_certificates(organization: Organization) -> int:
    """Queue the organization's certificates whose design is out of date."""
    count = 0
    for award in stale_certificates(organization).only("pk")[:RERENDER_BATCH]:
        tasks.render_certificate.delay(award.pk)
        count += 1
    return count


@transaction.atomic
def set_signing_options(
    organization: Organization, *, by, proof_format: str, suspension_entry: bool
) -> IssuerProfile:
    """How the organization signs what it issues from now on: the proof format,
    and whether each award also carries a suspension status entry. Awards
    already issued keep what they were signed with."""
    if proof_format not in IssuerProfile.ProofFormat.values:
        raise ValidationError({"proof_format": "Choose one of the listed formats."})
    profile, _ = IssuerProfile.objects.select_for_update().get_or_create(
        organization=organization
    )
    changed = {
        field: value
        for field, value in (
            ("proof_format", proof_format),
            ("suspension_entry", bool(suspension_entry)),
        )
        if getattr(profile, field) != value
    }
    if not changed:
        return profile
    for field, value in changed.items():
        setattr(profile, field, value)
    profile.save(update_fields=[*changed, "updated_at"])
    log_action(
        by,
        "issuer.signing_changed",
        profile,
        organization=organization,
        **changed,
    )
    return profile


ISSUER_DETAILS = ("name", "url", "email", "description")


@transaction.atomic
def update_issuer_details(organization: Organization, *, by, **details) -> Organization:
    """Change what the organization says of itself as an issuer.

    Credentials already issued keep the details they were signed with (changing
    them would break their signatures); what is issued from now on, the DID
    document and the public issuer page use the new ones.
    """
    unknown = set(details) - set(ISSUER_DETAILS)
    if unknown:
        raise ValueError(f"not issuer details: {sorted(unknown)}")
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = {
        name: value for name, value in details.items() if getattr(locked, name) != value
    }
    if not changed:
        return locked
    before = {name: getattr(locked, name) for name in changed}
    for name, value in changed.items():
        setattr(locked, name, value)
    if not (locked.url == "" or locked.url.startswith(("https://", "http://"))):
        raise ValidationError({"url": "Give the web address with http:// or https://."})
    locked.full_clean()
    locked.save(update_fields=list(changed))
    log_action(
        by,
        "issuer.details_changed",
        locked,
        organization=locked,
        before=before,
        after=changed,
    )
    return locked
