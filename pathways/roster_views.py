"""Roster imports and cohort enrolment in the browser (pathways.roster)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.forms import add_service_errors
from accounts.models import RosterImport
from accounts.people.permissions import (
    can_manage_people,
    get_organization_for_people,
)
from accounts.people.roster import RosterFileError
from assessments.models import Cohort
from pathways import roster
from pathways.permissions import get_pathway_version_for_cohorts


class RosterUploadForm(forms.Form):
    file = forms.FileField(label="Roster (CSV)")


class CohortEnrolForm(forms.Form):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none())


@login_required
def roster_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a roster for its dry run: every row's problems, or a file kept
    ready to import."""
    organization = get_organization_for_people(request.user, slug)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            plan, job = roster.check_roster_upload(
                organization, by=request.user, upload=form.cleaned_data["file"]
            )
        except RosterFileError as error:
            form.add_error("file", error.messages)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if job is not None:
                return redirect(job)
    problems = plan.problems if plan else []
    return render(
        request,
        "pathways/roster_upload.html",
        {
            "organization": organization,
            "form": form,
            "plan": plan,
            "problems": problems[: roster.SHOWN_PROBLEMS],
            "more_problems": max(0, len(problems) - roster.SHOWN_PROBLEMS),
            "jobs": organization.roster_imports.select_related("created_by")[:10],
        },
        status=400 if form.errors or problems else 200,
    )


def _job_for(request: HttpRequest, pk: int) -> RosterImport:
    job = get_object_or_404(
        RosterImport.objects.select_related("organization", "created_by"), pk=pk
    )
    if not can_manage_people(request.user, job.organization):
        raise PermissionDenied
    return job


@login_required
def roster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run's summary and the start button, then the import's progress."""
    job = _job_for(request, pk)
    done, total = roster.roster_progress(job)
    template = "pathways/roster_detail.html"
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
def roster_start(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    try:
        roster.start_roster_import(job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)


@login_required
def cohort_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol a whole cohort in this published pathway version."""
    version = get_pathway_version_for_cohorts(request.user, pk)
    form = CohortEnrolForm(request.POST or None)
    form.fields["cohort"].queryset = Cohort.objects.filter(
        organization=version.organization
    )
    if request.method == "POST" and form.is_valid():
        cohort = form.cleaned_data["cohort"]
        try:
            count = roster.enrol_cohort(cohort, version, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{count} learner{'s' if count != 1 else ''} of {cohort} enrolled "
                f"in {version}; those enrolled already stay as they were.",
            )
            return redirect(version)
    return render(
        request,
        "pathways/cohort_enrol.html",
        {"version": version, "form": form},
        status=400 if form.errors else 200,
    )
