"""Reads for certificate templates: which version a certificate is made with,
and which certificates a new version has not reached yet."""

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import Organization
from credentials.models import (
    Award,
    CertificateTemplate,
    CertificateTemplateChoice,
    CertificateTemplateVersion,
)


def templates_of(organization: Organization) -> QuerySet[CertificateTemplate]:
    return CertificateTemplate.objects.filter(organization=organization)


def default_template(organization: Organization) -> CertificateTemplate | None:
    return templates_of(organization).filter(is_default=True).first()


def chosen_template(award: Award) -> CertificateTemplate | None:
    """The template the award's module or pathway chose, else the default."""
    if award.module_completion_id:
        choice = CertificateTemplateChoice.objects.filter(
            module__versions__completions__pk=award.module_completion_id
        )
    else:
        choice = CertificateTemplateChoice.objects.filter(
            pathway__versions__completions__pk=award.pathway_completion_id
        )
    chosen = choice.select_related("template").first()
    if chosen is not None:
        return chosen.template
    return default_template(award.organization)


def current_version(award: Award) -> CertificateTemplateVersion | None:
    """The latest published version of the award's template, if any: a
    template with no version yet leaves the organization's default, then the
    built-in design."""
    template = chosen_template(award)
    version = template.latest_version if template else None
    if version is None and template is not None and not template.is_default:
        default = default_template(award.organization)
        version = default.latest_version if default else None
    return version


def awards_using(template: CertificateTemplate) -> QuerySet[Award]:
    """The awards with a certificate whose module or pathway uses the template."""
    uses = Q(
        module_completion__version__module__certificate_choice__template=template
    ) | Q(pathway_completion__version__pathway__certificate_choice__template=template)
    if template.is_default:
        uses |= Q(
            kind=Award.Kind.MODULE,
            module_completion__version__module__certificate_choice__isnull=True,
        ) | Q(
            kind=Award.Kind.PATHWAY,
            pathway_completion__version__pathway__certificate_choice__isnull=True,
        )
    return Award.objects.filter(uses, organization=template.organization).exclude(
        pdf=""
    )


def rerender_progress(template: CertificateTemplate) -> dict[str, int]:
    """How many of the template's certificates carry its latest version."""
    latest = template.latest_version
    awards = awards_using(template)
    total = awards.count()
    done = awards.filter(pdf_template_version=latest).count() if latest else 0
    return {"total": total, "done": done, "waiting": total - done}


def choices_of(organization: Organization) -> dict[tuple[str, int], int]:
    """{("module"|"pathway", id): template id} of the organization's choices."""
    rows = CertificateTemplateChoice.objects.filter(
        organization=organization
    ).values_list("module_id", "pathway_id", "template_id")
    return {
        ("module", module) if module else ("pathway", pathway): template
        for module, pathway, template in rows
    }


def sample_award(organization: Organization, pk) -> Award | None:
    """An award of the organization to preview a template with (admins only)."""
    if not pk:
        return None
    try:
        return Award.objects.filter(organization=organization).get(pk=pk)
    except (Award.DoesNotExist, ValueError, TypeError):
        return None


def recent_awards(organization: Organization, limit: int = 20) -> QuerySet[Award]:
    return (
        Award.objects.filter(organization=organization, revoked_at__isnull=True)
        .select_related("learner")
        .order_by("-issued_at")[:limit]
    )


def titled(model, organization: Organization) -> QuerySet:
    """Modules or pathways with the title of their newest version."""
    newest = (
        model.versions.field.model.objects.filter(
            **{model.__name__.lower(): OuterRef("pk")}
        )
        .order_by("-number")
        .values("title")[:1]
    )
    return model.objects.filter(organization=organization).annotate(
        title=Subquery(newest)
    )
