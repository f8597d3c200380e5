"""Pages of competency frameworks: the tree, authoring, imports and exports."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import organizations_where
from curriculum import case, framework_services, selectors
from curriculum.forms import (
    CompetencyForm,
    FrameworkCaseUpdateForm,
    FrameworkEditForm,
    FrameworkForm,
    FrameworkImportForm,
)
from curriculum.models import FrameworkImport
from curriculum.permissions import (
    can_edit_framework,
    can_maintain_framework,
    can_publish_framework,
    get_competency_for_editing,
    get_framework_for_editing,
    get_framework_for_maintaining,
    get_framework_for_viewing,
    get_import_for_viewing,
)

Role = Membership.Role


def _authoring_organizations(request: HttpRequest):
    return organizations_where(request.user, Role.DESIGNER, Role.ADMIN)


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER)
    frameworks = selectors.frameworks_for(request.user, staff)
    if query := request.GET.get("q", "").strip():
        frameworks = frameworks.filter(name__icontains=query)
    page = Paginator(frameworks, 25).get_page(request.GET.get("page"))
    authoring = _authoring_organizations(request)
    can_author = authoring.exists()
    return render(
        request,
        "curriculum/framework_list.html",
        {
            "page": page,
            "query": query,
            "can_author": can_author,
            "framework_form": FrameworkForm(organizations=authoring)
            if can_author
            else None,
            "import_form": FrameworkImportForm(organizations=authoring)
            if can_author
            else None,
        },
    )


@require_POST
@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    organizations = _authoring_organizations(request)
    if not organizations.exists():
        raise PermissionDenied
    form = FrameworkForm(request.POST, organizations=organizations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            framework = framework_services.create_framework(
                data.pop("organization"), by=request.user, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Framework “{framework}” created.")
            return redirect(framework)
    return render(
        request,
        "curriculum/framework_list.html",
        {
            "page": None,
            "can_author": True,
            "framework_form": form,
            "import_form": FrameworkImportForm(organizations=organizations),
        },
        status=400,
    )


def _detail_context(request: HttpRequest, framework, form=None) -> dict:
    can_edit = can_edit_framework(request.user, framework)
    return {
        "framework": framework,
        "tree": selectors.framework_tree(framework, with_links=True),
        "can_edit": can_edit,
        "can_publish": can_publish_framework(request.user, framework),
        "can_maintain": can_maintain_framework(request.user, framework),
        "competency_form": form
        or (CompetencyForm(framework=framework) if can_edit else None),
    }


@require_GET
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_viewing(request.user, pk)
    return render(
        request,
        "curriculum/framework_detail.html",
        _detail_context(request, framework),
    )


@require_POST
@login_required
def competency_add(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_editing(request.user, pk)
    form = CompetencyForm(request.POST, framework=framework)
    if form.is_valid():
        try:
            framework_services.add_competency(
                framework, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = CompetencyForm(framework=framework)
    context = _detail_context(request, framework, form)
    status = 400 if form.errors else 200
    if request.htmx:
        return render(
            request,
            "curriculum/framework_detail.html#tree",
            context,
            status=status,
        )
    if form.errors:
        return render(
            request, "curriculum/framework_detail.html", context, status=status
        )
    return redirect(framework)


@login_required
def competency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    competency = get_competency_for_editing(request.user, pk)
    framework = competency.framework
    initial = {
        "code": competency.code,
        "statement": competency.statement,
        "competency_type": competency.competency_type,
        "education_levels": "; ".join(competency.education_levels),
        "parent": competency.parent,
    }
    form = CompetencyForm(
        request.POST or None, framework=framework, exclude=competency, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            framework_services.update_competency(
                competency, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Competency saved.")
            return redirect(f"{framework.get_absolute_url()}#c-{competency.pk}")
    return render(
        request,
        "curriculum/competency_form.html",
        {"form": form, "competency": competency, "framework": framework},
        status=400 if form.errors else 200,
    )


@login_required
def competency_remove(request: HttpRequest, pk: int) -> HttpResponse:
    competency = get_competency_for_editing(request.user, pk)
    framework = competency.framework
    if request.method == "POST":
        try:
            framework_services.remove_competency(competency, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Removed “{competency.statement[:60]}”.")
        return redirect(framework)
    return render(
        request,
        "curriculum/confirm.html",
        {
            "title": "Remove this competency?",
            "text": competency.statement,
            "action": request.path,
            "button": "Remove competency",
            "back": framework.get_absolute_url(),
        },
    )


@require_POST
@login_required
def framework_publish(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_viewing(request.user, pk)
    if not can_publish_framework(request.user, framework):
        raise PermissionDenied
    try:
        framework_services.publish_framework(framework, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{framework}” is published.")
    return redirect(framework)


@require_GET
def framework_case_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_viewing(request.user, pk)
    case_version = "1.0" if request.GET.get("version") == "1.0" else "1.1"
    package = selectors.case_package(framework, case_version=case_version)
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="case-{framework.identifier}.json"'
    )
    return response


@require_GET
def framework_csv_export(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_viewing(request.user, pk)
    response = HttpResponse(
        selectors.competencies_csv(framework), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="competencies-{framework.pk}.csv"'
    )
    return response


@require_POST
@login_required
def import_create(request: HttpRequest) -> HttpResponse:
    organizations = _authoring_organizations(request)
    if not organizations.exists():
        raise PermissionDenied
    form = FrameworkImportForm(request.POST, request.FILES, organizations=organizations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = framework_services.start_framework_import(
                data["organization"],
                by=request.user,
                upload=data["file"],
                format=data["format"],
                framework_name=data["framework_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(job)
    return render(
        request,
        "curriculum/framework_list.html",
        {
            "page": None,
            "can_author": True,
            "framework_form": FrameworkForm(organizations=organizations),
            "import_form": form,
        },
        status=400,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_import_for_viewing(request.user, pk)
    done, total = framework_services.import_progress(job)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "finished": job.status
        in {FrameworkImport.Status.DONE, FrameworkImport.Status.FAILED},
    }
    template = "curriculum/import_detail.html"
    if request.htmx:
        template += "#progress"
    response = render(request, template, context)
    response["Vary"] = "HX-Request"
    return response


@require_GET
def competency_search(request: HttpRequest) -> HttpResponse:
    """The alignment picker's results (htmx), or JSON for scripts."""
    query = request.GET.get("q", "")
    staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER)
    results = selectors.search_competencies(query, organizations=staff)
    if request.htmx or request.GET.get("format") != "json":
        response = render(
            request,
            "curriculum/_competency_results.html",
            {
                "results": results,
                "query": query,
                "outcome_id": outcome
                if (outcome := request.GET.get("outcome", "")).isdigit()
                else "",
            },
        )
        response["Vary"] = "HX-Request"
        return response
    return HttpResponse(
        json.dumps(
            [
                {
                    "id": c.pk,
                    "code": c.code,
                    "statement": c.statement,
                    "framework": c.framework.name,
                }
                for c in results
            ]
        ),
        content_type="application/json",
    )


@login_required
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_editing(request.user, pk)
    form = FrameworkEditForm(
        request.POST or None,
        initial={
            "name": framework.name,
            "description": framework.description,
            "version": framework.version,
            "language": framework.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            framework_services.update_framework(
                framework, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Framework saved.")
            return redirect(framework)
    return render(
        request,
        "curriculum/framework_form.html",
        {"form": form, "framework": framework},
        status=400 if form.errors else 200,
    )


@login_required
def framework_case_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a newer version of the framework's CASE document and see what it
    changes; nothing is applied from here."""
    framework = get_framework_for_maintaining(request.user, pk)
    form = FrameworkCaseUpdateForm(request.POST or None, request.FILES or None)
    context: dict = {"framework": framework, "form": form}
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            plan = framework_services.plan_case_update(framework, raw)
        except case.CaseError as error:
            form.add_error("file", str(error))
        else:
            context.update(
                plan=plan,
                update=plan.update,
                token=framework_services.stash_case_update(
                    framework, by=request.user, raw=raw
                ),
                digest=plan.update.digest(),
            )
    return render(
        request,
        "curriculum/framework_update.html",
        context,
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def framework_case_update_apply(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_maintaining(request.user, pk)
    try:
        raw = framework_services.stashed_case_update(
            framework, by=request.user, token=request.POST.get("token", "")
        )
        update = framework_services.apply_case_update(
            framework, by=request.user, raw=raw, digest=request.POST.get("digest", "")
        )
    except (ValidationError, case.CaseError) as error:
        form = FrameworkCaseUpdateForm()
        messages_ = getattr(error, "messages", None) or [str(error)]
        return render(
            request,
            "curriculum/framework_update.html",
            {"framework": framework, "form": form, "errors": messages_},
            status=400,
        )
    messages.success(
        request,
        f"“{framework}” is updated: {len(update.added)} added, "
        f"{len(update.removed)} removed, {len(update.changed)} changed.",
    )
    return redirect(framework)


@login_required
def framework_delete(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_framework_for_maintaining(request.user, pk)
    if request.method == "POST":
        try:
            framework_services.delete_framework(framework, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(framework)
        messages.success(request, f"Deleted “{framework}”.")
        return redirect("curriculum:framework-list")
    return render(
        request,
        "curriculum/framework_delete.html",
        {
            "framework": framework,
            "items": framework.competencies.count(),
            "reasons": framework_services.framework_uses(framework),
        },
    )
