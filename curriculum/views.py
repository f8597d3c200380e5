from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curriculum import selectors, services
from curriculum.forms import (
    ModuleVersionForm,
    OutcomeForm,
    PublishForm,
    add_service_errors,
)
from curriculum.models import Membership, VersionedContent
from curriculum.permissions import (
    can_edit_version,
    can_publish_version,
    get_module_version_for_editing,
    get_module_version_for_viewing,
    organizations_where,
)

Role = Membership.Role


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


@login_required
def module_create(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    form = ModuleVersionForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
    return render(request, "curriculum/module_form.html", {"form": form})


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_viewing(request.user, pk)
    version = selectors.version_detail(version.pk)
    return render(
        request,
        "curriculum/version_detail.html",
        {
            "version": version,
            "can_edit": can_edit_version(request.user, version),
            "can_publish": can_publish_version(request.user, version)
            and not version.is_frozen,
            "outcome_form": OutcomeForm(),
            "publish_form": PublishForm(),
        },
    )


@require_POST
@login_required
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.add_outcome(
                version, by=request.user, statement=form.cleaned_data["statement"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = OutcomeForm()
    version = selectors.version_detail(version.pk)
    context = {"version": version, "can_edit": True, "outcome_form": form}
    if request.htmx:
        return render(request, "curriculum/version_detail.html#outcomes", context)
    if form.errors:
        messages.error(
            request, " ".join(e for errs in form.errors.values() for e in errs)
        )
    return redirect(version)


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
