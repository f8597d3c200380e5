import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import has_role, organizations_where
from curriculum import badge_views, selectors, services
from curriculum.forms import (
    ACTION_VERBS,
    CatalogueFilterForm,
    ModuleVersionEditForm,
    ModuleVersionForm,
    OutcomeForm,
    PublishForm,
)
from curriculum.models import Competency, VersionedContent
from curriculum.permissions import (
    can_edit_version,
    can_publish_version,
    get_module_version_for_editing,
    get_module_version_for_viewing,
    get_outcome_for_editing,
)

Role = Membership.Role


@require_GET
def version_badge_image(request: HttpRequest, pk: int) -> FileResponse:
    """A module version's badge as uploaded or drawn (PNG or SVG): public once
    published, staff-only as a draft."""
    version = get_module_version_for_viewing(request.user, pk)
    return badge_views.serve_badge(version, png=False)


@require_GET
def version_badge_png(request: HttpRequest, pk: int) -> FileResponse:
    """The module version's badge as a PNG, the picture its credentials name."""
    version = get_module_version_for_viewing(request.user, pk)
    return badge_views.serve_badge(version, png=True)


@login_required
@require_http_methods(["GET", "POST"])
def version_badge_designer(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, pk)
    return badge_views.badge_designer(request, version, kind="module")


@login_required
def module_list(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    versions = selectors.versions_for_staff(organizations)
    if query := request.GET.get("q", "").strip():
        versions = versions.filter(title__icontains=query) | versions.filter(
            module__code__icontains=query
        )
    page = Paginator(versions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "curriculum/module_list.html",
        {"page": page, "query": query, "can_create": organizations.exists()},
    )


def _badge_bytes(form) -> bytes | None:
    upload = form.cleaned_data.get("badge_image")
    return upload.read() if upload else None


@login_required
def module_create(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    form = ModuleVersionForm(
        request.POST or None, request.FILES or None, organizations=organizations
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["badge_image"] = _badge_bytes(form)
        try:
            version = services.create_module_version(
                data.pop("organization"), by=request.user, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Draft {version} created. Add its outcomes next."
            )
            return redirect(version)
    return render(
        request,
        "curriculum/module_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, pk)
    initial = {
        name: getattr(version, name) for name in services.UPDATABLE_VERSION_FIELDS
    } | {"prerequisites": list(version.prerequisites.all())}
    form = ModuleVersionEditForm(
        request.POST or None, request.FILES or None, version=version, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["badge_image"] = _badge_bytes(form)
        try:
            services.update_module_version(version, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(version)
    return render(
        request,
        "curriculum/version_form.html",
        {"form": form, "version": version},
        status=400 if form.errors else 200,
    )


def _outcomes_context(request: HttpRequest, version, **extra) -> dict:
    version = selectors.version_detail(version.pk)
    return {
        "version": version,
        "can_edit": can_edit_version(request.user, version),
        "outcome_form": OutcomeForm(),
        "action_verbs": ACTION_VERBS,
        **extra,
    }


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_viewing(request.user, pk)
    context = _outcomes_context(request, version)
    version = context["version"]
    # The alignment picker without JavaScript: ?outcome=<id>&q=<words>.
    picker_outcome = request.GET.get("outcome", "")
    picker_query = request.GET.get("q", "")
    picker_results = []
    if context["can_edit"] and picker_outcome.isdigit() and picker_query.strip():
        staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
        picker_results = selectors.search_competencies(
            picker_query, organizations=staff
        )
    context.update(
        {
            "can_publish": can_publish_version(request.user, version)
            and not version.is_frozen,
            "publish_form": PublishForm(),
            # The CTDL export is for staff feeding other systems, not learners.
            "can_export": has_role(
                request.user, version.organization, Role.DESIGNER, Role.ADMIN
            ),
            "picker_outcome": int(picker_outcome) if picker_outcome.isdigit() else None,
            "picker_query": picker_query,
            "picker_results": picker_results,
            "jsonld": selectors.module_jsonld(version) if version.is_frozen else "",
        }
    )
    return render(request, "curriculum/version_detail.html", context)


def _outcomes_response(
    request: HttpRequest, version, *, form=None, focus: str = "", errors=(), **extra
) -> HttpResponse:
    """The outcomes fragment for htmx, or back to the page."""
    if request.htmx:
        context = _outcomes_context(request, version, errors=errors, **extra)
        if form is not None:
            context["outcome_form"] = form
        status = 400 if (form is not None and form.errors) or errors else 200
        return render(
            request, "curriculum/version_detail.html#outcomes", context, status=status
        )
    if form is not None and form.errors:
        context = _outcomes_context(request, version)
        context.update(
            {
                "outcome_form": form,
                "can_publish": False,
                "publish_form": PublishForm(),
            }
        )
        return render(request, "curriculum/version_detail.html", context, status=400)
    for error in errors:
        messages.error(request, error)
    return redirect(f"{version.get_absolute_url()}#{focus or 'outcomes'}")


@require_POST
@login_required
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.add_outcome(version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = None
    return _outcomes_response(request, version, form=form)


@login_required
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_editing(request.user, pk)
    version = outcome.version
    form = OutcomeForm(
        request.POST or None,
        initial={
            "action_verb": outcome.action_verb,
            "statement": outcome.statement,
            "proficiency_level": outcome.proficiency_level,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_outcome(outcome, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Outcome saved.")
            return redirect(f"{version.get_absolute_url()}#outcome-{outcome.pk}")
    return render(
        request,
        "curriculum/outcome_form.html",
        {
            "form": form,
            "outcome": outcome,
            "version": version,
            "action_verbs": ACTION_VERBS,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def outcome_move(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_editing(request.user, pk)
    direction = request.POST.get("direction")
    if direction not in {"up", "down"}:
        return HttpResponseBadRequest("direction must be up or down")
    errors = []
    try:
        services.move_outcome(
            outcome, by=request.user, offset=-1 if direction == "up" else 1
        )
    except ValidationError as error:
        errors = error.messages
    return _outcomes_response(
        request,
        outcome.version,
        focus=f"outcome-{outcome.pk}",
        errors=errors,
        focus_outcome=outcome.pk,
        focus_direction=direction,
    )


@login_required
def outcome_remove(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_editing(request.user, pk)
    version = outcome.version
    if request.method != "POST":
        return render(
            request,
            "curriculum/confirm.html",
            {
                "title": "Remove this outcome?",
                "text": outcome.statement,
                "action": request.path,
                "button": "Remove outcome",
                "back": f"{version.get_absolute_url()}#outcome-{outcome.pk}",
            },
        )
    errors = []
    try:
        services.remove_outcome(outcome, by=request.user)
    except ValidationError as error:
        errors = error.messages
    return _outcomes_response(request, version, errors=errors)


def _posted_id(request: HttpRequest, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


@require_POST
@login_required
def outcome_align(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_editing(request.user, pk)
    competency = get_object_or_404(
        Competency.objects.select_related("framework"),
        pk=_posted_id(request, "competency"),
    )
    staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not selectors.competency_visible(competency, organizations=staff):
        raise Http404
    errors = []
    try:
        services.align_outcome(outcome, by=request.user, competency=competency)
    except ValidationError as error:
        errors = error.messages
    return _outcomes_response(
        request, outcome.version, focus=f"outcome-{outcome.pk}", errors=errors
    )


@require_POST
@login_required
def outcome_unalign(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = get_outcome_for_editing(request.user, pk)
    competency = get_object_or_404(Competency, pk=_posted_id(request, "competency"))
    errors = []
    try:
        services.unalign_outcome(outcome, by=request.user, competency=competency)
    except ValidationError as error:
        errors = error.messages
    return _outcomes_response(
        request, outcome.version, focus=f"outcome-{outcome.pk}", errors=errors
    )


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Published modules, for anyone: search and filters."""
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    versions = selectors.catalogue(**filters)
    page = Paginator(versions, 24).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    response = render(
        request,
        "curriculum/catalogue.html",
        {
            "form": form,
            "page": page,
            "filtered": bool(filters and any(filters.values())),
            "query_string": query_string.urlencode(),
            "jsonld": selectors.catalogue_jsonld(page.object_list),
        },
    )
    return response


@require_GET
def version_ctdl(request: HttpRequest, pk: int) -> HttpResponse:
    """A published module version as CTDL JSON-LD (Credential Engine)."""
    version = get_module_version_for_viewing(request.user, pk)
    if not version.is_frozen:
        raise Http404
    document = selectors.module_ctdl(selectors.version_detail(version.pk))
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/ld+json",
    )


def publish_from_form(
    request: HttpRequest, version: VersionedContent, publish: Callable
) -> HttpResponse:
    """Publish a module or pathway version from the changelog form."""
    if not can_publish_version(request.user, version):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write a changelog entry before publishing.")
        return redirect(version)
    try:
        publish(version, by=request.user, changelog=form.cleaned_data["changelog"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{version} is published. It can no longer change.")
    return redirect(version)


@require_POST
@login_required
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_viewing(request.user, pk)
    return publish_from_form(request, version, services.publish_version)
