"""Issuer profiles: the organization's logo on certificates."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import log_action
from accounts.images import logo_type
from accounts.models import Organization
from credentials import tasks
from credentials.models import IssuerProfile
from credentials.services.rendering import RERENDER_BATCH, stale_certificates


@transaction.atomic
def set_issuer_logo(organization: Organization, *, by, content: bytes) -> IssuerProfile:
    """Store a PNG or JPEG logo; certificates are rendered again with it."""
    media_type = logo_type(content)
    profile, _ = IssuerProfile.objects.select_for_update().get_or_create(
        organization=organization
    )
    profile.logo = content
    profile.logo_type = media_type
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
    locked = Organization.objects.select_for_update(no_key=True).get(pk=organization.pk)
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


def sample_certificate_pdf(organization: Organization, variant: str) -> bytes:
    """A made-up certificate (`short`, or `long` for a crowded one) in the
    organization's design: its default template's latest version, or the
    built-in design. The gallery page and the API show the same PDF."""
    from credentials import selectors, template_selectors
    from credentials.certificate_design import design_from_settings
    from credentials.certificates import render_certificate_pdf

    default = template_selectors.default_template(organization)
    version = default.latest_version if default else None
    return render_certificate_pdf(
        selectors.sample_certificate(organization, variant),
        design_from_settings(version.settings if version else None),
    )
