"""The certificate designer: templates, their draft, versions, previews, and the
template each module or pathway uses. Admins of the organization only."""

import base64

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from accounts.models import Membership
from accounts.permissions import get_organization_for
from credentials import selectors, services, template_selectors
from credentials.certificate_design import (
    FIELDS,
    FONTS,
    MAX_SIGNATORIES,
    PAGE_SIZES,
    design_from_settings,
    font_files,
)
from credentials.certificates import render_certificate_html, render_certificate_pdf
from credentials.models import CertificateTemplate
from credentials.services.profiles import sample_certificate_pdf
from curriculum.models import Module
from pathways.models import Pathway

Role = Membership.Role


def _template(request: HttpRequest, slug: str, pk: int):
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    template = get_object_or_404(CertificateTemplate, pk=pk, organization=organization)
    return organization, template


def _back(template: CertificateTemplate) -> HttpResponse:
    return redirect(template.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def certificate_gallery(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's templates, a new one, and the built-in samples."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    error = ""
    if request.method == "POST":
        try:
            template = services.create_template(
                organization, by=request.user, name=request.POST.get("name", "")
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"Template “{template.name}” created.")
            return _back(template)
    return render(
        request,
        "credentials/certificate_gallery.html",
        {
            "organization": organization,
            "samples": selectors.CERTIFICATE_SAMPLES,
            "templates": template_selectors.templates_of(organization).prefetch_related(
                "versions"
            ),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def certificate_template(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, template = _template(request, slug, pk)
    preview_award = template_selectors.sample_award(
        organization, request.GET.get("award")
    )
    context = {
        "organization": organization,
        "template": template,
        "design": design_from_settings(template.draft),
        "awards": template_selectors.recent_awards(organization),
        "preview_award": preview_award.pk if preview_award else None,
    }
    if request.htmx:
        return render(request, "credentials/certificate_template.html#preview", context)
    return render(
        request,
        "credentials/certificate_template.html",
        {**context, **_designer_context(request, template)},
    )


def _designer_context(request: HttpRequest, template: CertificateTemplate) -> dict:
    design = design_from_settings(template.draft)
    signatories = list(design.signatories)
    slots = [
        (n, signatories[n] if n < len(signatories) else None)
        for n in range(MAX_SIGNATORIES)
    ]
    return {
        "pages": {key: label for key, (label, _, _) in PAGE_SIZES.items()},
        "fonts": {key: label for key, (label, _) in FONTS.items()},
        "fields": FIELDS,
        "slots": slots,
        "versions": template.versions.select_related("published_by"),
        "progress": template_selectors.rerender_progress(template),
        "rendering": request.GET.get("rendering") == "1",
        "has_own_logo": bool(template.draft.get("logo")),
    }


@require_POST
@login_required
def save_draft(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, template = _template(request, slug, pk)
    try:
        services.update_draft(
            template,
            by=request.user,
            page=request.POST.get("page", ""),
            font=request.POST.get("font", ""),
            main_colour=request.POST.get("main_colour", ""),
            accent_colour=request.POST.get("accent_colour", ""),
            fields=request.POST.getlist("fields"),
            show_logo=request.POST.get("show_logo") == "on",
        )
    except ValidationError as problem:
        saved, ok = " ".join(problem.messages), False
    else:
        saved, ok = "Draft saved. The preview shows it.", True
    if request.htmx:
        template.refresh_from_db()
        return render(
            request,
            "credentials/certificate_template.html#preview",
            {
                "organization": template.organization,
                "template": template,
                "design": design_from_settings(template.draft),
                "awards": template_selectors.recent_awards(template.organization),
                "saved": saved,
                "saved_ok": ok,
            },
            status=200 if ok else 400,
        )
    (messages.success if ok else messages.error)(request, saved)
    return _back(template)


@require_POST
@login_required
def save_signatory(request: HttpRequest, slug: str, pk: int, position: int):
    _, template = _template(request, slug, pk)
    upload = request.FILES.get("signature")
    try:
        if request.POST.get("remove") == "1":
            services.remove_signatory(template, by=request.user, position=position)
        else:
            services.set_signatory(
                template,
                by=request.user,
                position=position,
                name=request.POST.get("name", ""),
                title=request.POST.get("title", ""),
                signature=upload.read(2 * 1024 * 1024) if upload else None,
                remove_signature=request.POST.get("remove_signature") == "on",
            )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Signatory saved.")
    return _back(template)


@require_POST
@login_required
def save_template_logo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, template = _template(request, slug, pk)
    upload = request.FILES.get("logo")
    try:
        services.set_template_logo(
            template,
            by=request.user,
            content=None
            if request.POST.get("clear") == "1"
            else (upload.read(2 * 1024 * 1024) if upload else b"") or None,
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, "Logo saved.")
    return _back(template)


@require_POST
@login_required
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, template = _template(request, slug, pk)
    try:
        version = services.publish_template(template, by=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(
            request,
            f"Version {version.number} published: new certificates use it. "
            "Certificates already made keep their design until you render them again.",
        )
    return _back(template)


@require_POST
@login_required
def make_default(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, template = _template(request, slug, pk)
    services.make_default(template, by=request.user)
    messages.success(request, f"“{template.name}” is now the default template.")
    return _back(template)


@login_required
@require_http_methods(["GET", "POST"])
def rerender(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """POST: render the template's certificates again with its latest version;
    GET: how far that is (the progress bar polls it)."""
    _, template = _template(request, slug, pk)
    if request.method == "POST":
        try:
            services.request_rerender(template, by=request.user)
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            messages.success(request, "Certificates are being rendered again.")
        return redirect(f"{template.get_absolute_url()}?rendering=1#rerender")
    return render(
        request,
        "credentials/certificate_template.html#progress",
        {
            "template": template,
            "organization": template.organization,
            "progress": template_selectors.rerender_progress(template),
            "rendering": request.GET.get("rendering") == "1",
        },
    )


def _preview_info(request: HttpRequest, organization, template):
    """The sample or the chosen award, and the draft or a version's design."""
    award_pk = request.GET.get("award")
    if award_pk:
        award = template_selectors.sample_award(organization, award_pk)
        if award is None:
            raise Http404("No such award.")
        info = selectors.certificate_info(award)
    else:
        info = selectors.sample_certificate(organization, "short")
    number = request.GET.get("version")
    if number:
        version = template.versions.filter(number=number).first()
        if version is None:
            raise Http404("No such version.")
        return info, design_from_settings(version.settings)
    return info, design_from_settings(template.draft)


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace(
    {
        "style-src": [UNSAFE_INLINE],
        "script-src": [NONE],
        "frame-ancestors": [SELF],
        "img-src": ["data:"],
        "font-src": ["data:"],
    }
)
def preview_html(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The certificate as HTML for the designer's preview frame: the PDF is laid
    out from the same markup; its inline styles are allowed on this response
    only, which runs no script."""
    organization, template = _template(request, slug, pk)
    info, design = _preview_info(request, organization, template)
    html = render_certificate_html(info, design)
    return HttpResponse(
        html.replace("</style>", font_faces(design.font) + PREVIEW_CSS, 1)
    )


# In the preview frame the page is drawn at its size, scaled to fit the frame.
PREVIEW_CSS = """
  html { zoom: 0.55; background: #fff; }
  body { padding: 9mm; }
</style>"""


def font_faces(font: str) -> str:
    """The bundled font's faces as data: URIs: the sandboxed frame has no
    origin of its own to fetch fonts from (a font fetch asks for CORS)."""
    family = FONTS[font][1]
    return "".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f"font-style: {style}; src: url(data:font/woff;base64,"
        f"{base64.b64encode(path.read_bytes()).decode('ascii')}); }}\n"
        for (weight, style), path in font_files(font).items()
    )


@login_required
@require_GET
def preview_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization, template = _template(request, slug, pk)
    info, design = _preview_info(request, organization, template)
    response = HttpResponse(
        render_certificate_pdf(info, design), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'inline; filename="certificate-preview.pdf"'
    return response


@login_required
@require_GET
def certificate_preview(request: HttpRequest, slug: str, variant: str) -> HttpResponse:
    """The built-in design's samples, or the default template's latest version."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    if variant not in selectors.CERTIFICATE_SAMPLES:
        raise Http404("No such sample.")
    pdf = sample_certificate_pdf(organization, variant)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sample-{variant}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def template_choices(request: HttpRequest, slug: str) -> HttpResponse:
    """Which template each module and pathway's certificates use."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    templates = template_selectors.templates_of(organization)
    if request.method == "POST":
        kind = request.POST.get("kind")
        model = {"module": Module, "pathway": Pathway}.get(kind)
        if model is None:
            raise Http404("Choose a module or a pathway.")
        owner = get_object_or_404(
            model, pk=request.POST.get("pk"), organization=organization
        )
        chosen = request.POST.get("template") or None
        template = get_object_or_404(templates, pk=chosen) if chosen else None
        services.choose_template(
            organization, by=request.user, template=template, **{kind: owner}
        )
        messages.success(
            request,
            f"{owner.code}: {template.name if template else 'the default template'}.",
        )
        return redirect(
            f"{request.path}?page={request.POST.get('page', '1')}#{kind}-{owner.pk}"
        )
    chosen = template_selectors.choices_of(organization)
    rows = [("module", m) for m in template_selectors.titled(Module, organization)]
    rows += [("pathway", p) for p in template_selectors.titled(Pathway, organization)]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/certificate_choices.html",
        {
            "organization": organization,
            "templates": list(templates),
            "page_obj": page,
            "rows": [
                (kind, owner, chosen.get((kind, owner.pk))) for kind, owner in page
            ],
        },
    )
