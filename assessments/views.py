from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import context_processors as navigation
from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import has_role, organizations_where
from assessments import queue, selectors, services
from assessments.forms import (
    CellForm,
    ChangeGradeForm,
    CohortForm,
    CohortMemberForm,
    CopyRubricForm,
    CriterionForm,
    GradeForm,
    ImportGradesForm,
    LevelColumnForm,
    MarkingPolicyForm,
    QueueFilterForm,
    RecognitionForm,
    RubricPolicyForm,
    SubmissionForm,
    TaskEditForm,
    TaskForm,
)
from assessments.models import (
    AssessmentTask,
    Cohort,
    EvidenceFile,
    GradeImport,
    Mark,
    RecognitionDecision,
    Submission,
)
from assessments.permissions import (
    can_calibrate_on,
    can_change_grade,
    can_manage_marking,
    can_see_marks,
    can_submit_to,
    can_view_submission,
    cell_of,
    criterion_of,
    get_cohort_for_managing,
    get_submission_for_calibration,
    get_submission_for_grading,
    get_submission_for_viewing,
    get_task_for_editing,
    get_task_for_marking,
    get_task_for_viewing,
    is_calibrated,
    rubric_source_for,
)
from assessments.prerequisites import locked
from assessments.services.submissions import attempt_problem
from curriculum.models import ModuleVersion
from curriculum.permissions import can_edit_version, get_module_version_for_editing

Role = Membership.Role
PREVIEWABLE = {"image/png", "image/jpeg", "application/pdf"}


@login_required
def task_create(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = get_module_version_for_editing(request.user, version_pk)
    outcomes = version.outcomes.all()
    form = TaskForm(request.POST or None, outcomes=outcomes)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.create_task(version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Assessment task and rubric added. Refine the grid in the rubric "
                "builder.",
            )
            return redirect("assessments:rubric-builder", task.pk)
    return render(
        request,
        "assessments/task_form.html",
        {"form": form, "version": version, "outcomes": outcomes},
    )


@login_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_editing(request.user, pk)
    form = TaskEditForm(request.POST or None, instance=task)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.update_task(task, by=request.user, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Task saved.")
            return redirect(task)
    return render(request, "assessments/task_edit.html", {"form": form, "task": task})


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_viewing(request.user, pk)
    can_submit = can_submit_to(request.user, task)
    draft = (
        task.submissions.filter(
            learner=request.user, status=Submission.Status.DRAFT
        ).first()
        if can_submit
        else None
    )
    initial = {"text": draft.text, "links": "\n".join(draft.links)} if draft else None
    form = SubmissionForm(
        request.POST or None, request.FILES or None, task=task, initial=initial
    )
    if request.method == "POST":
        if not can_submit:
            raise PermissionDenied
        if form.is_valid():
            data = {
                "text": form.cleaned_data.get("text", ""),
                "links": form.cleaned_data.get("links", []),
                "files": form.cleaned_data.get("files", []),
            }
            keep_draft = request.POST.get("action") == "draft"
            try:
                if keep_draft:
                    services.save_draft(task, learner=request.user, **data)
                else:
                    submission = services.submit_evidence(
                        task, learner=request.user, **data
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if keep_draft:
                    messages.success(
                        request, "Draft saved. It is kept until you submit it."
                    )
                    return redirect(task)
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
            "draft": draft,
            "problem": attempt_problem(task, request.user) if can_submit else None,
            "locked": locked(request.user, task.version) if can_submit else None,
            "submissions": submissions,
            "can_edit": can_edit_version(request.user, task.version),
            "can_manage_marking": request.user.is_authenticated
            and can_manage_marking(request.user, task),
        },
    )


@login_required
@require_POST
def draft_file_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related("submission__task"), pk=pk
    )
    if evidence.submission.learner_id != request.user.pk:
        raise Http404
    try:
        services.remove_draft_file(evidence, learner=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{evidence.original_name} removed from your draft.")
    return redirect(evidence.submission.task)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_viewing(request.user, pk)
    submission = selectors.submission_with_feedback(submission)
    grade = getattr(submission, "grade", None)
    retry = None
    if submission.learner_id == request.user.pk and grade and not grade.passed:
        retry = attempt_problem(submission.task, request.user) or (
            "You can submit a new attempt now."
        )
    return render(
        request,
        "assessments/submission_detail.html",
        {
            "submission": submission,
            "retry": retry,
            "marks": selectors.marks_of(submission)
            if can_see_marks(request.user, submission)
            else [],
            "can_change_grade": grade is not None
            and can_change_grade(request.user, submission),
        },
    )


def _evidence_for(user, pk: int) -> EvidenceFile:
    evidence = get_object_or_404(
        EvidenceFile.objects.select_related(
            "submission__task__version__module__organization"
        ),
        pk=pk,
    )
    submission = evidence.submission
    # An anchor's evidence is read by every grader who calibrates on it.
    if not (
        can_view_submission(user, submission) or can_calibrate_on(user, submission)
    ):
        raise Http404  # another learner's work: do not confirm it exists
    return evidence


def _serve(evidence: EvidenceFile, *, inline: bool) -> FileResponse:
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        filename=evidence.original_name,
        as_attachment=not inline,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A learner's file must not run script in Cairn's origin, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(_evidence_for(request.user, pk), inline=False)


@login_required
def evidence_preview(request: HttpRequest, pk: int) -> FileResponse:
    """Images and PDFs shown inline beside the rubric; other types download."""
    evidence = _evidence_for(request.user, pk)
    if evidence.content_type not in PREVIEWABLE:
        raise Http404
    return _serve(evidence, inline=True)


@login_required
def grading_queue(request: HttpRequest) -> HttpResponse:
    # One read of the grader's memberships for the page and the navigation.
    memberships = queue.grader_memberships(request.user)
    navigation.memberships(
        request,
        known=[(m["role"], m["organization__slug"]) for m in memberships],
    )
    organizations = queue.faculty_organizations_of(memberships)
    choices = queue.queue_filter_choices(request.user, organizations=organizations)
    filters = QueueFilterForm(
        request.GET or None, statuses=queue.QUEUE_STATUSES, **choices
    )
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page, counts = queue.queue_page(
        request.user,
        number=request.GET.get("page"),
        organizations=organizations,
        **cleaned,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/grading_queue.html",
        {
            "page": page,
            "filters": filters,
            "counts": counts,
            "query_string": query.urlencode(),
            # Read only by an empty queue, to say why it is empty.
            "is_faculty": bool(organizations),
        },
    )


def _grading_role(submission: Submission) -> str:
    return {
        Submission.Status.SUBMITTED: Mark.Role.FIRST,
        Submission.Status.SECOND_MARKING: Mark.Role.SECOND,
        Submission.Status.MODERATION: Mark.Role.MODERATOR,
    }.get(submission.status, "")


@login_required
def grade(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_grading(request.user, pk)
    submission = selectors.submission_with_feedback(submission)
    role = _grading_role(submission)
    if not role:
        messages.info(request, "This submission has already been graded.")
        return redirect(submission)
    if _marked_already(submission, request.user, role):
        messages.info(
            request, "You have marked this submission; a colleague takes it from here."
        )
        return redirect("assessments:queue")
    if not is_calibrated(request.user, submission.task):
        messages.info(request, "Grade this task's calibration set first.")
        return redirect("assessments:calibration", submission.task_id)
    criteria = selectors.rubric_criteria(submission.task)
    draft = next(
        (
            m
            for m in selectors.marks_of(submission, role)
            if m.grader_id == request.user.pk and not m.is_final
        ),
        None,
    )
    # Blind second marking: the second marker sees no other mark; a moderator
    # sees both marks it has to decide between.
    other_marks = (
        selectors.marks_of(submission, Mark.Role.FIRST, Mark.Role.SECOND)
        if role == Mark.Role.MODERATOR
        else []
    )
    form = GradeForm(request.POST or None, criteria=criteria, draft=draft)
    finalise = request.POST.get("action") != "draft"
    if request.method == "POST" and not finalise:
        form.make_optional()
    if request.method == "POST" and form.is_valid():
        common = {
            "levels": form.mark_levels(),
            "comments": form.comments(),
        }
        try:
            if role == Mark.Role.FIRST:
                result = services.grade_submission(
                    submission,
                    grader=request.user,
                    comment=form.cleaned_data["comment"],
                    finalise=finalise,
                    **common,
                )
            elif role == Mark.Role.SECOND:
                result = services.second_mark_submission(
                    submission,
                    grader=request.user,
                    comment=form.cleaned_data["comment"],
                    finalise=finalise,
                    **common,
                )
            else:
                result = services.moderate_submission(
                    submission,
                    moderator=request.user,
                    comment=form.cleaned_data["comment"],
                    **common,
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _graded_message(submission, result, finalise))
            if not finalise:
                return redirect("assessments:grade", submission.pk)
            return redirect("assessments:queue")
    return render(
        request,
        "assessments/grade_form.html",
        {
            "submission": submission,
            "form": form,
            "rubric": submission.task.rubric,
            "role": role,
            "draft": draft,
            "other_marks": other_marks,
            "previewable": PREVIEWABLE,
        },
    )


def _marked_already(submission: Submission, user, role: str) -> bool:
    """A first marker does not second-mark, and neither marker moderates."""
    if role == Mark.Role.FIRST:
        return False
    earlier = (
        [Mark.Role.FIRST]
        if role == Mark.Role.SECOND
        else [
            Mark.Role.FIRST,
            Mark.Role.SECOND,
        ]
    )
    if submission.marks.filter(grader=user, role__in=earlier).exists():
        return True
    return role == Mark.Role.SECOND and submission.second_marker_id not in (
        None,
        user.pk,
    )


def _graded_message(submission: Submission, result, finalise: bool) -> str:
    learner = submission.learner
    if not finalise:
        return "Draft saved; only you can see it until you finalise."
    if isinstance(result, Mark) and result.role == Mark.Role.FIRST:
        return (
            f"Marked: {result.total} points. This submission is second-marked "
            "before the learner sees a grade."
        )
    if isinstance(result, Mark):
        submission.refresh_from_db(fields=["status"])
        if submission.status == Submission.Status.MODERATION:
            return "Second mark saved. The marks differ: a moderator decides."
        return "Second mark saved. The marks agree and the first mark stands."
    verdict = "passed" if result.passed else "did not pass yet"
    return f"Graded: {result.total} points, {learner} {verdict}."


@login_required
def grade_change(request: HttpRequest, pk: int) -> HttpResponse:
    """An appeal: change a decided grade, with a reason, after confirming."""
    submission = get_submission_for_viewing(request.user, pk)
    submission = selectors.submission_with_feedback(submission)
    grade = getattr(submission, "grade", None)
    if grade is None:
        raise Http404
    if not can_change_grade(request.user, submission):
        raise PermissionDenied
    criteria = selectors.rubric_criteria(submission.task)
    initial = {"comment": grade.comment}
    for cg in grade.criteria.all():
        initial[f"level_{cg.criterion_id}"] = cg.level_id
        initial[f"comment_{cg.criterion_id}"] = cg.comment
    form = ChangeGradeForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_grade(
                grade,
                by=request.user,
                levels=form.levels(),
                comments=form.comments(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verdict = "passes" if changed.passed else "no longer passes"
            messages.success(
                request, f"Grade changed to {changed.total} points; it {verdict}."
            )
            return redirect(submission)
    return render(
        request,
        "assessments/grade_change.html",
        {"submission": submission, "form": form, "grade": grade},
    )


# Rubric builder -----------------------------------------------------------


def _builder_context(task: AssessmentTask, **extra) -> dict:
    criteria = selectors.rubric_criteria(task)
    columns = list(criteria[0].levels.all()) if criteria else []
    return {
        "task": task,
        "rubric": task.rubric,
        "criteria": criteria,
        "columns": columns,
        "policy_form": extra.pop("policy_form", None)
        or RubricPolicyForm(
            initial={
                "kind": task.rubric.kind,
                "pass_min_total": task.rubric.pass_min_total,
                "pass_min_level": None
                if task.rubric.pass_min_level is None
                else task.rubric.pass_min_level + 1,
            }
        ),
        "outcomes": task.version.outcomes.all(),
        **extra,
    }


def _render_builder(request: HttpRequest, task: AssessmentTask, **extra):
    template = "assessments/rubric_builder.html"
    if request.htmx:
        template += "#grid"
    return render(request, template, _builder_context(task, **extra))


@login_required
def rubric_builder(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_editing(request.user, pk)
    tasks = (
        AssessmentTask.objects.filter(
            version__module__organization=task.version.organization
        )
        .exclude(pk=task.pk)
        .select_related("version__module")
    )
    return _render_builder(
        request, task, copy_form=CopyRubricForm(tasks=tasks), builder_errors=[]
    )


@login_required
@require_POST
def rubric_edit(request: HttpRequest, pk: int, operation: str) -> HttpResponse:
    """One change to the grid; htmx swaps the grid, a plain post redirects."""
    task = get_task_for_editing(request.user, pk)
    rubric = task.rubric
    post = request.POST
    errors: list[str] = []
    policy_form = None
    try:
        if operation == "policy":
            policy_form = RubricPolicyForm(post)
            if policy_form.is_valid():
                services.update_rubric_policy(
                    rubric, by=request.user, **policy_form.cleaned_data
                )
            else:
                errors.append("Check the pass policy.")
        elif operation == "add-criterion":
            form = CriterionForm(post, outcomes=task.version.outcomes.all())
            if form.is_valid():
                services.add_criterion(
                    rubric,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    outcomes=form.cleaned_data["outcomes"],
                )
            else:
                errors.append("Name the new criterion.")
        elif operation in ("criterion", "remove-criterion", "move-criterion"):
            criterion = criterion_of(task, post.get("criterion"))
            if operation == "remove-criterion":
                services.remove_criterion(criterion, by=request.user)
            elif operation == "move-criterion":
                services.move_criterion(
                    criterion, by=request.user, offset=int(post.get("offset", 0))
                )
            else:
                form = CriterionForm(post, outcomes=task.version.outcomes.all())
                if form.is_valid():
                    services.update_criterion(
                        criterion, by=request.user, **form.cleaned_data
                    )
                else:
                    errors.append(f"Check “{criterion.name}”: name it.")
        elif operation == "add-level":
            form = LevelColumnForm(post)
            if form.is_valid():
                services.add_level(rubric, by=request.user, **form.cleaned_data)
            else:
                errors.append("A new level needs a name and points.")
        elif operation in ("rename-level", "remove-level", "move-level"):
            position = int(post.get("position", -1))
            if operation == "remove-level":
                services.remove_level(rubric, by=request.user, position=position)
            elif operation == "move-level":
                services.move_level(
                    rubric,
                    by=request.user,
                    position=position,
                    offset=int(post.get("offset", 0)),
                )
            else:
                services.update_level_name(
                    rubric,
                    by=request.user,
                    position=position,
                    name=post.get("name", ""),
                )
        elif operation == "cell":
            level = cell_of(task, post.get("level"))
            form = CellForm(post)
            if form.is_valid():
                services.update_cell(level, by=request.user, **form.cleaned_data)
            else:
                errors.append("Points must be a whole number, 0 or more.")
        elif operation == "copy":
            source = rubric_source_for(task, post.get("source"))
            services.copy_rubric(source, into=task, by=request.user)
        else:
            raise Http404
    except (ValueError, TypeError):
        errors.append("That change was not understood.")
    except ValidationError as error:
        errors.extend(error.messages)
    if not request.htmx:
        for message in errors:
            messages.error(request, message)
        return redirect("assessments:rubric-builder", task.pk)
    task.rubric.refresh_from_db()
    return _render_builder(
        request,
        task,
        builder_errors=errors,
        policy_form=policy_form if errors else None,
    )


# Marking: agreement, policy, calibration, import ---------------------------


@login_required
def task_marking(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_marking(request.user, pk)
    form = MarkingPolicyForm(
        request.POST or None,
        initial={
            "second_mark_percent": task.second_mark_percent,
            "borderline_points": task.borderline_points,
            "moderation_tolerance": task.moderation_tolerance,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_marking_policy(task, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Second marking settings saved.")
            return redirect("assessments:task-marking", task.pk)
    report = selectors.agreement_report(task)
    return render(
        request,
        "assessments/task_marking.html",
        {"task": task, "form": form, "report": report},
    )


@login_required
def calibration(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_marking(request.user, pk)
    report = selectors.calibration_report(task, request.user)
    candidates = []
    if has_role(request.user, task.version.organization, Role.FACULTY):
        candidates = selectors.anchor_candidates(task, request.user)
    return render(
        request,
        "assessments/calibration.html",
        {
            "task": task,
            "report": report,
            "candidates": candidates,
            "calibrated": is_calibrated(request.user, task),
        },
    )


@login_required
def calibration_mark(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Set an anchor (kind 'anchor') or grade one (kind 'attempt')."""
    submission = get_submission_for_calibration(request.user, pk, kind)
    submission = selectors.submission_with_feedback(submission)
    task = get_task_for_marking(request.user, submission.task_id)
    criteria = selectors.rubric_criteria(task)
    form = GradeForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        service = services.set_anchor if kind == "anchor" else services.calibrate
        person = (
            {"lead": request.user} if kind == "anchor" else {"grader": request.user}
        )
        try:
            service(
                submission,
                levels=form.levels(),
                comments=form.comments(),
                comment=form.cleaned_data["comment"],
                **person,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Anchor set." if kind == "anchor" else "Calibration mark saved.",
            )
            return redirect("assessments:calibration", task.pk)
    return render(
        request,
        "assessments/calibration_mark.html",
        {
            "submission": submission,
            "form": form,
            "kind": kind,
            "task": task,
            "previewable": PREVIEWABLE,
        },
    )


@login_required
def grades_import(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_marking(request.user, pk)
    form = ImportGradesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_grade_import(
                task, by=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The file checks out; importing it now.")
            return redirect(job)
    criteria = selectors.rubric_criteria(task)
    return render(
        request,
        "assessments/grades_import.html",
        {
            "task": task,
            "form": form,
            "criteria": criteria,
            "jobs": task.grade_imports.select_related("created_by")[:10],
        },
    )


@login_required
def grade_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(
        GradeImport.objects.select_related("task__version__module__organization"),
        pk=pk,
    )
    get_task_for_marking(request.user, job.task_id)
    template = "assessments/grade_import_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job, "task": job.task})


# Cohorts and recognition ---------------------------------------------------


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    admin_of = organizations_where(request.user, Role.ADMIN)
    visible = organizations_where(request.user, Role.ADMIN, Role.FACULTY)
    form = CohortForm(request.POST or None)
    if request.method == "POST":
        organization = admin_of.filter(pk=request.POST.get("organization")).first()
        if organization is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                cohort = services.create_cohort(
                    organization, by=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Cohort “{cohort}” created.")
                return redirect(cohort)
    cohorts = Cohort.objects.filter(organization__in=visible).select_related(
        "organization"
    )
    return render(
        request,
        "assessments/cohort_list.html",
        {"cohorts": cohorts, "form": form, "admin_of": admin_of},
    )


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_managing(request.user, pk)
    form = CohortMemberForm(request.POST or None)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if form.is_valid():
            user = selectors.find_person(form.cleaned_data["username"])
            if user is None:
                form.add_error("username", "No one has that username or e-mail.")
            else:
                service = (
                    services.remove_from_cohort if remove else services.add_to_cohort
                )
                try:
                    service(
                        cohort,
                        by=request.user,
                        user=user,
                        as_role=form.cleaned_data["role"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    done = "removed from" if remove else "added to"
                    messages.success(request, f"{user.get_username()} {done} {cohort}.")
                    return redirect(cohort)
    return render(
        request,
        "assessments/cohort_detail.html",
        {
            "cohort": cohort,
            "form": form,
            "learners": cohort.learners.order_by("username"),
            "graders": cohort.graders.order_by("username"),
        },
    )


@login_required
def recognition(request: HttpRequest) -> HttpResponse:
    organizations = organizations_where(request.user, Role.ADMIN)
    if not organizations.exists():
        raise PermissionDenied
    versions = (
        ModuleVersion.objects.published()
        .filter(module__organization__in=organizations)
        .select_related("module")
    )
    form = RecognitionForm(
        request.POST or None, request.FILES or None, versions=versions
    )
    if request.method == "POST" and form.is_valid():
        learner = selectors.find_person(form.cleaned_data["learner"])
        if learner is None:
            form.add_error("learner", "No one has that username or e-mail.")
        else:
            try:
                decision = services.record_recognition(
                    learner,
                    form.cleaned_data["version"],
                    by=request.user,
                    source=form.cleaned_data["source"],
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    upload=form.cleaned_data["file"],
                    accept_expired=form.cleaned_data["accept_expired"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                said = f"Decision recorded: {decision}."
                if decision.proof_status:
                    said += (
                        f" {decision.get_proof_status_display()}: "
                        f"{decision.proof_reason}"
                    )
                messages.success(request, said)
                return redirect(reverse("assessments:recognition"))
    decisions = Paginator(selectors.recognition_decisions(organizations), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessments/recognition.html",
        {"form": form, "page": decisions},
    )


@login_required
def recognition_file(request: HttpRequest, pk: int) -> FileResponse:
    decision = get_object_or_404(
        RecognitionDecision.objects.select_related("version__module__organization"),
        pk=pk,
    )
    if decision.learner_id != request.user.pk and not has_role(
        request.user, decision.version.organization, Role.ADMIN
    ):
        raise Http404
    if not decision.file:
        raise Http404
    try:
        handle = decision.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=decision.original_name or "evidence",
        content_type=decision.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
