from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from assessments import selectors, services
from assessments.forms import GradeForm, SubmissionForm, TaskForm
from assessments.models import EvidenceFile
from assessments.permissions import (
    can_submit_to,
    get_submission_for_grading,
    get_submission_for_viewing,
    get_task_for_viewing,
)
from curriculum.forms import add_service_errors
from curriculum.permissions import get_module_version_for_editing


@login_required
def task_create(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, version_pk)
    outcomes = version.outcomes.all()
    form = TaskForm(request.POST or None, outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_task(version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment task and rubric added.")
            return redirect(version)
    return render(
        request,
        "assessments/task_form.html",
        {"form": form, "version": version, "outcomes": outcomes},
    )


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_viewing(request.user, pk)
    can_submit = can_submit_to(request.user, task)
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied
        if form.is_valid():
            try:
                submission = services.submit_evidence(
                    task, learner=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your evidence is submitted for grading.")
                return redirect(submission)
    submissions = (
        selectors.learner_submissions(task, request.user)
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "assessments/task_detail.html",
        {
            "task": task,
            "rubric": task.rubric,
            "form": form,
            "can_submit": can_submit,
            "submissions": submissions,
        },
    )


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_viewing(request.user, pk)
    submission = selectors.submission_with_feedback(submission)
    return render(
        request, "assessments/submission_detail.html", {"submission": submission}
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    get_submission_for_viewing(request.user, evidence.submission_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    queue = selectors.grading_queue(request.user)
    page = Paginator(queue, 25).get_page(request.GET.get("page"))
    return render(request, "assessments/grading_queue.html", {"page": page})


@login_required
def grade(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_grading(request.user, pk)
    submission = selectors.submission_with_feedback(submission)
    if hasattr(submission, "grade"):
        messages.info(request, "This submission has already been graded.")
        return redirect(submission)
    criteria = selectors.rubric_criteria(submission.task)
    form = GradeForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.grade_submission(
                submission,
                grader=request.user,
                levels=form.levels(),
                comments=form.comments(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verdict = "passed" if result.passed else "did not pass yet"
            messages.success(
                request,
                f"Graded: {result.total} points, {submission.learner} {verdict}.",
            )
            return redirect("assessments:queue")
    return render(
        request,
        "assessments/grade_form.html",
        {"submission": submission, "form": form, "rubric": submission.task.rubric},
    )
