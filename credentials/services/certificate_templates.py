"""Certificate templates: a draft edited by an admin, versions published from
it and frozen, the template each module or pathway uses, and re-rendering
certificates with a newer version when an admin asks."""

import base64

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import log_action
from accounts.images import logo_type
from accounts.models import Organization
from credentials import tasks, template_selectors
from credentials.certificate_design import (
    MAX_SIGNATORIES,
    MAX_SIGNATURE_BYTES,
    checked_settings,
)
from credentials.models import (
    CertificateTemplate,
    CertificateTemplateChoice,
    CertificateTemplateVersion,
)
from curriculum.models import Module
from pathways.models import Pathway


def _data_uri(content: bytes, *, field: str, limit: int, what: str) -> str:
    if len(content) > limit:
        raise ValidationError({field: f"{what} may be at most {limit // 1024} KB."})
    media_type = logo_type(content, field=field)
    return f"data:{media_type};base64,{base64.b64encode(content).decode('ascii')}"


def _locked(template: CertificateTemplate) -> CertificateTemplate:
    return CertificateTemplate.objects.select_for_update().get(pk=template.pk)


@transaction.atomic
def create_template(
    organization: Organization, *, by, name: str
) -> CertificateTemplate:
    """A new template with the built-in design as its draft; the
    organization's first template becomes its default."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if len(name) > 100:
        raise ValidationError({"name": "A name may be at most 100 characters."})
    if template_selectors.templates_of(organization).filter(name=name).exists():
        raise ValidationError({"name": "A template already has this name."})
    is_default = template_selectors.default_template(organization) is None
    try:
        with transaction.atomic():
            template = CertificateTemplate.objects.create(
                organization=organization, name=name, is_default=is_default
            )
    except IntegrityError as clash:
        raise ValidationError({"name": "A template already has this name."}) from clash
    log_action(by, "certificate_template.created", template, organization=organization)
    return template


@transaction.atomic
def update_draft(
    template: CertificateTemplate, *, by, **choices
) -> CertificateTemplate:
    """Save the layout, font, colours and fields chosen for the draft."""
    settings = checked_settings(**choices)
    template = _locked(template)
    before = {key: template.draft.get(key) for key in settings}
    template.draft = {**template.draft, **settings}
    template.save(update_fields=["draft", "updated_at"])
    changed = {k: v for k, v in settings.items() if before.get(k) != v}
    if changed:
        log_action(
            by,
            "certificate_template.draft_changed",
            template,
            organization=template.organization,
            **changed,
        )
    return template


@transaction.atomic
def set_signatory(
    template: CertificateTemplate,
    *,
    by,
    position: int,
    name: str,
    title: str = "",
    signature: bytes | None = None,
    remove_signature: bool = False,
) -> CertificateTemplate:
    """Set the draft's signatory at `position` (0–2); a signature image is a
    PNG or JPEG, checked by what its bytes are."""
    if position not in range(MAX_SIGNATORIES):
        raise ValidationError({"position": "A template has at most three signatories."})
    name, title = name.strip(), title.strip()
    if not name:
        raise ValidationError({"name": "Give the signatory's name."})
    if len(name) > 100 or len(title) > 100:
        raise ValidationError(
            {"name": "A name and a title may be at most 100 characters each."}
        )
    image = None
    if signature:
        image = _data_uri(
            signature,
            field="signature",
            limit=MAX_SIGNATURE_BYTES,
            what="A signature image",
        )
    template = _locked(template)
    signatories = list(template.draft.get("signatories") or [])
    while len(signatories) <= position:
        signatories.append({})
    entry = dict(signatories[position])
    entry.update(name=name, title=title)
    if image:
        entry["image"] = image
    elif remove_signature:
        entry.pop("image", None)
    signatories[position] = entry
    template.draft = {
        **template.draft,
        "signatories": [s for s in signatories if s.get("name")],
    }
    template.save(update_fields=["draft", "updated_at"])
    log_action(
        by,
        "certificate_template.signatory_set",
        template,
        organization=template.organization,
        position=position + 1,
        name=name,
        title=title,
        signature_image=bool(entry.get("image")),
    )
    return template


@transaction.atomic
def remove_signatory(
    template: CertificateTemplate, *, by, position: int
) -> CertificateTemplate:
    template = _locked(template)
    signatories = list(template.draft.get("signatories") or [])
    if position not in range(len(signatories)):
        raise ValidationError("There is no such signatory.")
    removed = signatories.pop(position)
    template.draft = {**template.draft, "signatories": signatories}
    template.save(update_fields=["draft", "updated_at"])
    log_action(
        by,
        "certificate_template.signatory_removed",
        template,
        organization=template.organization,
        name=removed.get("name", ""),
    )
    return template


@transaction.atomic
def set_template_logo(
    template: CertificateTemplate, *, by, content: bytes | None
) -> CertificateTemplate:
    """The template's own logo (PNG or JPEG), or none to use the issuer's."""
    image = (
        _data_uri(content, field="logo", limit=512 * 1024, what="A logo")
        if content
        else None
    )
    template = _locked(template)
    draft = dict(template.draft)
    if image:
        draft["logo"] = image
    else:
        draft.pop("logo", None)
    template.draft = draft
    template.save(update_fields=["draft", "updated_at"])
    log_action(
        by,
        "certificate_template.logo_changed",
        template,
        organization=template.organization,
        own_logo=bool(image),
    )
    return template


@transaction.atomic
def publish_template(
    template: CertificateTemplate, *, by
) -> CertificateTemplateVersion:
    """Freeze the draft as the template's next version. New certificates use
    it at once; those already made keep theirs until an admin re-renders."""
    template = _locked(template)
    latest = template.latest_version
    if latest is not None and latest.settings == template.draft:
        raise ValidationError(
            "The draft is the same as the latest version: change it before publishing."
        )
    version = CertificateTemplateVersion.objects.create(
        template=template,
        number=(latest.number + 1) if latest else 1,
        settings=dict(template.draft),
        published_at=timezone.now(),
        published_by=by,
    )
    log_action(
        by,
        "certificate_template.published",
        version,
        organization=template.organization,
        template=template.name,
        number=version.number,
    )
    return version


@transaction.atomic
def make_default(template: CertificateTemplate, *, by) -> CertificateTemplate:
    organization = template.organization
    CertificateTemplate.objects.select_for_update().filter(
        organization=organization
    ).update(is_default=False)
    CertificateTemplate.objects.filter(pk=template.pk).update(is_default=True)
    template.refresh_from_db()
    log_action(
        by, "certificate_template.made_default", template, organization=organization
    )
    return template


@transaction.atomic
def choose_template(
    organization: Organization,
    *,
    by,
    module: Module | None = None,
    pathway: Pathway | None = None,
    template: CertificateTemplate | None,
) -> CertificateTemplateChoice | None:
    """The template a module's or pathway's certificates use from now on;
    None goes back to the organization's default."""
    owner = module or pathway
    if owner is None or (module and pathway):
        raise ValueError("choose for one module or one pathway")
    if owner.organization_id != organization.pk or (
        template is not None and template.organization_id != organization.pk
    ):
        raise ValidationError("Choose one of your organization's templates.")
    key = {"module": module} if module else {"pathway": pathway}
    existing = CertificateTemplateChoice.objects.filter(**key).first()
    before = existing.template.name if existing else ""
    if template is None:
        if existing:
            existing.delete()
        choice = None
    elif existing:
        existing.template = template
        existing.save(update_fields=["template"])
        choice = existing
    else:
        choice = CertificateTemplateChoice.objects.create(
            organization=organization, template=template, **key
        )
    log_action(
        by,
        "certificate_template.chosen",
        owner,
        organization=organization,
        before=before,
        after=template.name if template else "",
    )
    return choice


def request_rerender(template: CertificateTemplate, *, by) -> None:
    """An admin asks for the template's certificates in its latest version."""
    if template.latest_version is None:
        raise ValidationError("Publish a version before rendering certificates again.")
    log_action(
        by,
        "certificate_template.rerender_requested",
        template,
        organization=template.organization,
        number=template.latest_version.number,
    )
    tasks.rerender_certificates.delay_on_commit(template.organization_id, template.pk)


def rerender_with_latest_version(template: CertificateTemplate) -> int:
    """Queue each of the template's certificates not yet in its latest version."""
    latest = template.latest_version
    if latest is None:
        return 0
    waiting = template_selectors.awards_using(template).exclude(
        pdf_template_version=latest
    )
    count = 0
    for pk in waiting.values_list("pk", flat=True).iterator():
        tasks.render_certificate.delay(pk, latest=True)
        count += 1
    return count
