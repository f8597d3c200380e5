from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.forms import add_service_errors
from accounts.models import Membership
from accounts.permissions import organizations_where
from curriculum import lifecycle
from curriculum.diff import codes_in
from reviews import permissions, selectors, services
from reviews.forms import (
    AcceptForm,
    BoardForm,
    CommentForm,
    DeclarationForm,
    InviteForm,
    NamingForm,
    ResponseForm,
    SubmitForm,
    VoteForm,
    WithdrawForm,
)
from reviews.models import AdvisoryBoard

Role = Membership.Role


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What waits for the user: votes to cast, drafts to submit, rounds to follow."""
    staff = organizations_where(request.user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER)
    designing = organizations_where(request.user, Role.DESIGNER, Role.ADMIN)
    admin = organizations_where(request.user, Role.ADMIN)
    page = Paginator(selectors.reviews_for_staff(staff), 20).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    return render(
        request,
        "reviews/dashboard.html",
        {
            "waiting": selectors.waiting_for(request.user),
            "drafts": selectors.drafts_to_submit(designing),
            "page": page,
            "overdue_count": len(selectors.overdue_versions(admin, today=today))
            + selectors.overdue_reviews(admin, today=today).count(),
            "is_admin": admin.exists(),
            "today": today,
        },
    )


@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    admin = organizations_where(request.user, Role.ADMIN)
    if not admin.exists():
        raise PermissionDenied
    form = BoardForm(request.POST or None, organizations=admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board = services.create_board(
                data.pop("organization"), by=request.user, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Board {board} created. Invite its members.")
            return redirect(board)
    boards = AdvisoryBoard.objects.filter(organization__in=admin).select_related(
        "organization"
    )
    return render(request, "reviews/board_list.html", {"boards": boards, "form": form})


@login_required
def board_detail(request: HttpRequest, pk: int) -> HttpResponse:
    board = permissions.get_board_for_managing(request.user, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member, _ = services.invite_member(
                board, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invitation sent to {member.email}.")
            return redirect(board)
    return render(
        request,
        "reviews/board_detail.html",
        {"board": board, "members": board.members.select_related("user"), "form": form},
    )


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Accept a seat: a new outside practitioner makes an account here."""
    try:
        member = services.member_for_token(token)
    except ValidationError as error:
        return render(
            request,
            "reviews/invitation.html",
            {"problem": " ".join(error.messages)},
            status=410 if error.code == "expired" else 404,
        )
    signed_in = request.user.is_authenticated
    form_class = NamingForm if signed_in else AcceptForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                user = request.user
                if not signed_in:
                    user = _new_account(member, data["username"], data["password"])
                services.accept_invitation(
                    token, user=user, is_named_publicly=data["is_named_publicly"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not signed_in:
                # Two backends are configured (allauth's beside Django's): say
                # which one vouched for the password just set.
                login(
                    request, user, backend="django.contrib.auth.backends.ModelBackend"
                )
            messages.success(request, f"Welcome to {member.board}.")
            return redirect("reviews:dashboard")
    return render(request, "reviews/invitation.html", {"member": member, "form": form})


def _new_account(member, username: str, password: str):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "This username is taken."})
    user = User(username=username, email=member.email, first_name=member.name)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.save()
    return user


@login_required
def submit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    version = permissions.get_version_for_submitting(request.user, kind, pk)
    boards = AdvisoryBoard.objects.filter(organization=version.organization)
    form = SubmitForm(request.POST or None, boards=boards)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.submit_for_review(
                version, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{version} is with {review.board} for review.")
            return redirect(review)
    return render(
        request,
        "reviews/submit.html",
        {"version": version, "form": form, "has_boards": boards.exists()},
    )


def _review_context(request: HttpRequest, review, **forms) -> dict:
    review = selectors.review_page(review.pk)
    version = selectors.version_of(review)
    seat = selectors.seat_of(request.user, review.board)
    declaration = next(
        (d for d in review.declarations.all() if seat and d.member_id == seat.pk), None
    )
    voted = next(
        (v for v in review.votes.all() if seat and v.member_id == seat.pk), None
    )
    tally = selectors.review_tally(review)
    content = review.content
    comments = selectors.comments_of(version)
    return {
        "review": review,
        "version": version,
        "content": content,
        "general_comments": comments.on("general", ""),
        "outcomes": [
            {**o, "comments": comments.on("outcome", o["key"])}
            for o in content.get("outcomes", [])
        ],
        "tasks": [
            {
                **task,
                "criteria": [
                    {**c, "comments": comments.on("criterion", c["key"])}
                    for c in task["criteria"]
                ],
            }
            for task in content.get("tasks", [])
        ],
        "rule_nodes": [
            (key, label, comments.on("rule", key))
            for key, label in selectors.rule_nodes(
                content.get("rule"),
                selectors.titles_for(
                    review.board.organization, codes_in({"rule": content.get("rule")})
                ),
            )
        ],
        "changes": selectors.changes_since(review, review.content),
        "seat": seat,
        "declaration": declaration,
        "voted": voted,
        "tally": tally,
        "policy": selectors.policy_of(review.board),
        "can_take_part": permissions.can_take_part(request.user, review),
        "can_respond": permissions.can_respond(request.user, review),
        "can_withdraw": permissions.can_withdraw(request.user, review),
        "declaration_form": forms.get("declaration_form") or DeclarationForm(),
        "vote_form": forms.get("vote_form") or VoteForm(),
        "withdraw_form": WithdrawForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "response_form": ResponseForm(),
    }


def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = permissions.get_review_for_viewing(request.user, pk)
    return render(
        request, "reviews/review_detail.html", _review_context(request, review)
    )


def _act(request: HttpRequest, pk: int, form_class, name: str, action) -> HttpResponse:
    """Run one review action from a form: redirect on success, or show the page
    again with the errors beside the fields."""
    review = permissions.get_review_for_viewing(request.user, pk)
    if not permissions.can_take_part(request.user, review):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = action(review, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(review)
    context = _review_context(request, review, **{name: form})
    return render(request, "reviews/review_detail.html", context, status=400)


@require_POST
@login_required
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    def action(review, data):
        services.declare_interest(review, user=request.user, **data)
        if data["has_conflict"]:
            return "Conflict declared: you will not vote in this round."
        return "Declared: no conflict of interest. You can vote now."

    return _act(request, pk, DeclarationForm, "declaration_form", action)


@require_POST
@login_required
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def action(review, data):
        comment = services.add_comment(review, user=request.user, **data)
        return f"Comment added on {comment.anchor_label}."

    return _act(request, pk, CommentForm, "comment_form", action)


@require_POST
@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    def action(review, data):
        services.cast_vote(review, user=request.user, **data)
        review.refresh_from_db()
        if review.is_open:
            return "Your vote is recorded."
        return f"Your vote is recorded. The review is closed: {review.decision}"

    return _act(request, pk, VoteForm, "vote_form", action)


@require_POST
@login_required
def comment_respond(request: HttpRequest, pk: int) -> HttpResponse:
    comment = permissions.get_comment_for_responding(request.user, pk)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_comment(comment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Comment on {comment.anchor_label} answered.")
    return redirect(comment.review)


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = permissions.get_review_for_viewing(request.user, pk)
    if not permissions.can_withdraw(request.user, review):
        raise PermissionDenied
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the review is withdrawn.")
        return redirect(review)
    try:
        services.withdraw_review(review, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The review is withdrawn; the version is a draft.")
    return redirect(review)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    admin = organizations_where(request.user, Role.ADMIN)
    if not admin.exists():
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "reviews/overdue.html",
        {
            "versions": selectors.overdue_versions(admin, today=today),
            "reviews": selectors.overdue_reviews(admin, today=today),
            "today": today,
        },
    )


def history(request: HttpRequest, organization: str, kind: str, code: str):
    """The public version history of a module or pathway."""
    parent, entries = selectors.history(kind, organization, code)
    return render(
        request,
        "reviews/history.html",
        {
            "parent": parent,
            "kind": kind,
            "entries": entries,
            "today": timezone.localdate(),
            "can_start_draft": permissions.can_start_draft(
                request.user, entries[0].version
            ),
        },
    )


@require_POST
@login_required
def start_draft(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Edit a published version: a new draft copied from it."""
    version = selectors.load_version(selectors.VERSION_TYPES.get(kind, ""), pk)
    if not permissions.can_start_draft(request.user, version):
        raise PermissionDenied
    try:
        draft = lifecycle.start_next_draft(version, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(version)
    messages.success(request, f"Draft {draft} started from version {version.number}.")
    return redirect(draft)
