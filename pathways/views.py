from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curriculum.forms import PublishForm, add_service_errors
from curriculum.models import Membership
from curriculum.permissions import can_publish_version, has_role, organizations_where
from curriculum.views import publish_from_form
from pathways import selectors, services
from pathways.forms import PathwayForm
from pathways.permissions import get_pathway_version_for_viewing

Role = Membership.Role


def catalogue(request: HttpRequest) -> HttpResponse:
    versions = selectors.published_pathways()
    if query := request.GET.get("q", "").strip():
        versions = versions.filter(title__icontains=query)
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    return render(request, "pathways/catalogue.html", {"page": page, "query": query})


@login_required
def pathway_create(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    form = PathwayForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.create_pathway_version(
                data["organization"],
                by=request.user,
                code=data["code"],
                title=data["title"],
                summary=data["summary"],
                rule=services.all_of([m.code for m in data["modules"]]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft pathway {version} created.")
            return redirect(version)
    return render(request, "pathways/pathway_form.html", {"form": form})


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    enrolled = (
        request.user.is_authenticated
        and version.enrolments.filter(learner=request.user).exists()
    )
    return render(
        request,
        "pathways/version_detail.html",
        {
            "version": version,
            "steps": selectors.pathway_with_modules(version),
            "enrolled": enrolled,
            "can_enrol": not enrolled
            and version.status == version.Status.PUBLISHED
            and has_role(request.user, version.organization, Role.LEARNER),
            "can_publish": can_publish_version(request.user, version)
            and not version.is_frozen,
            "publish_form": PublishForm(),
        },
    )


@require_POST
@login_required
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    try:
        services.enrol(request.user, version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(version)
    messages.success(request, f"You are enrolled in {version.title}.")
    return redirect("home")


@require_POST
@login_required
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_pathway_version_for_viewing(request.user, pk)
    return publish_from_form(request, version, services.publish_pathway_version)
