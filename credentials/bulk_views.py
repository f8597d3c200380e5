"""Bulk awards in the browser (credentials.services.bulk_awards): the upload
and its dry run, past jobs, the job's progress and its result report.
Admins of the organization only."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import get_organization_for
from credentials.bulk_models import BulkAward
from credentials.bulk_sheet import BulkFileError
from credentials.permissions import can_manage_credentials
from credentials.services import bulk_awards
from curriculum.selectors import absolute_url

Role = Membership.Role
PER_PAGE = 20


class BulkAwardForm(forms.Form):
    file = forms.FileField(
        label="Awards (CSV)",
        help_text="UTF-8 CSV, one award a line, columns as shown above.",
    )


@login_required
def bulk_award_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file for its dry run (every row's problems, or a file kept
    ready to award), and the organization's past bulk awards."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = BulkAwardForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            plan, job = bulk_awards.check_bulk_award(
                organization, by=request.user, upload=form.cleaned_data["file"]
            )
        except BulkFileError as error:
            form.add_error("file", error.messages)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if job is not None:
                return redirect(job)
    problems = plan.problems if plan else []
    page = Paginator(
        organization.bulk_awards.select_related("created_by"), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "credentials/bulk_award_list.html",
        {
            "organization": organization,
            "form": form,
            "plan": plan,
            "problems": problems[: bulk_awards.SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - bulk_awards.SHOWN_PROBLEMS),
            "page": page,
        },
        status=400 if form.errors or problems else 200,
    )


def _job_for(request: HttpRequest, pk: int) -> BulkAward:
    job = get_object_or_404(
        BulkAward.objects.select_related("organization", "created_by"), pk=pk
    )
    if not can_manage_credentials(request.user, job.organization):
        raise PermissionDenied
    return job


@login_required
@require_GET
def bulk_award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's summary and the start button, then the job's progress."""
    job = _job_for(request, pk)
    done, total = bulk_awards.bulk_progress(job)
    template = "credentials/bulk_award_detail.html"
    if request.htmx:
        template += "#progress"
    response = render(
        request,
        template,
        {
            "job": job,
            "organization": job.organization,
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
        },
    )
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_POST
def bulk_award_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        bulk_awards.start_bulk_award(job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)


@login_required
@require_GET
def bulk_award_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The result, one line a row, as CSV (formula-safe)."""
    job = _job_for(request, pk)
    if job.status != BulkAward.Status.DONE:
        messages.error(request, "The report is ready once the awards are made.")
        return redirect(job)
    response = HttpResponse(
        bulk_awards.result_report(job, absolute=absolute_url),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="bulk-award-{job.pk}-report.csv"'
    )
    return response
