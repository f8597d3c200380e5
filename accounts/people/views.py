"""Managing an organization's people in the browser: thin views around
accounts.people.services, each gated by accounts.people.permissions."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.forms import add_service_errors
from accounts.models import Deactivation, Invitation, Membership, Organization
from accounts.people import selectors, services
from accounts.people.forms import (
    InvitationSignUpForm,
    InviteForm,
    MemberSearchForm,
    OrganizationForm,
    RoleForm,
)
from accounts.people.permissions import (
    get_member_of,
    get_organization_for_people,
    is_site_admin,
)
from accounts.tokens import token_hash

MEMBERS_PER_PAGE = 25


def _people_url(organization: Organization) -> str:
    return reverse("accounts:people", args=[organization.slug])


def _member(organization: Organization, user_id: int):
    return get_member_of(organization, user_id)


# ------------------------------------------------------------ organizations


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """Site administrators: every organization, and a form for a new one."""
    if not is_site_admin(request.user):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        logo = form.cleaned_data["logo"]
        try:
            organization = services.create_organization(
                by=request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                url=form.cleaned_data["url"],
                time_zone=form.cleaned_data["time_zone"],
                logo=logo.read() if logo else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{organization} is created. Invite its first admin."
            )
            return redirect(_people_url(organization))
    return render(
        request,
        "accounts/people/organization_list.html",
        {
            "form": form,
            "organizations": Organization.objects.order_by("name"),
            "time_zones": OrganizationForm.time_zones(),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def organization_logo(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug)
    if not organization.logo_type:
        raise Http404
    response = HttpResponse(
        bytes(organization.logo), content_type=organization.logo_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ----------------------------------------------------------------- members


def _people_page(
    request: HttpRequest,
    organization: Organization,
    *,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    search = MemberSearchForm(request.GET or None)
    filters = search.cleaned_data if search.is_valid() else {}
    users = selectors.members(
        organization, q=filters.get("q", ""), role=filters.get("role", "")
    )
    page = Paginator(users, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "organization": organization,
        "search": search,
        "filtered": bool(filters.get("q") or filters.get("role")),
        "page": page,
        "rows": selectors.member_rows(organization, page.object_list),
        "query_string": query_string.urlencode(),
        "invite_form": invite_form or InviteForm(),
        "invitations": selectors.pending_invitations(organization),
        "deactivated": selectors.deactivated_members(organization),
    }
    template = "accounts/people/member_list.html"
    if request.htmx and not invite_form:
        template += "#members"
    response = render(request, template, context, status=status)
    response["Vary"] = "HX-Request"
    return response


@login_required
@require_GET
def people(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's members with their roles, searchable and paginated;
    open invitations and deactivated members below."""
    organization = get_organization_for_people(request.user, slug)
    return _people_page(request, organization)


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for_people(request.user, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _ = services.invite_member(
                organization,
                by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as "
                f"{invitation.get_role_display().lower()}.",
            )
            return redirect(_people_url(organization))
    return _people_page(request, organization, invite_form=form, status=400)


@login_required
@require_POST
def withdraw_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = get_organization_for_people(request.user, slug)
    invitation = get_object_or_404(Invitation, organization=organization, pk=pk)
    try:
        services.withdraw_invitation(invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect(_people_url(organization))


@login_required
def member_detail(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    organization = get_organization_for_people(request.user, slug)
    member = _member(organization, user_id)
    row = selectors.member_row(organization, member)
    deactivation = Deactivation.objects.filter(
        organization=organization, user=member
    ).first()
    form = RoleForm()
    form.fields["role"].choices = [
        choice for choice in form.fields["role"].choices if choice[0] not in row.roles
    ]
    return render(
        request,
        "accounts/people/member_detail.html",
        {
            "organization": organization,
            "member": member,
            "row": row,
            "deactivation": deactivation,
            "form": form,
            "is_only_admin": "admin" in row.roles
            and selectors.admin_count(organization) == 1,
        },
    )


def _member_action(request: HttpRequest, slug: str, user_id: int, action, done: str):
    organization = get_organization_for_people(request.user, slug)
    member = _member(organization, user_id)
    try:
        action(organization, member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(name=member.get_username()))
    return redirect("accounts:member-detail", organization.slug, member.pk)


@login_required
@require_POST
def grant_role(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    label = Membership.Role(role).label.lower() if role else ""
    return _member_action(
        request,
        slug,
        user_id,
        lambda organization, member: services.grant_role(
            organization, by=request.user, user=member, role=role
        ),
        f"{{name}} is now {label} as well.",
    )


@login_required
@require_POST
def withdraw_role(
    request: HttpRequest, slug: str, user_id: int, role: str
) -> HttpResponse:
    return _member_action(
        request,
        slug,
        user_id,
        lambda organization, member: services.withdraw_role(
            organization, by=request.user, user=member, role=role
        ),
        "{name} no longer holds that role.",
    )


@login_required
def deactivate_member(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """A confirmation page, then the deactivation."""
    if request.method == "POST":
        return _member_action(
            request,
            slug,
            user_id,
            lambda organization, member: services.deactivate_member(
                organization, by=request.user, user=member
            ),
            "{name} is deactivated: they no longer have access here.",
        )
    organization = get_organization_for_people(request.user, slug)
    member = _member(organization, user_id)
    return render(
        request,
        "accounts/people/member_deactivate.html",
        {
            "organization": organization,
            "member": member,
            "row": selectors.member_row(organization, member),
        },
    )


@login_required
@require_POST
def reactivate_member(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    return _member_action(
        request,
        slug,
        user_id,
        lambda organization, member: services.reactivate_member(
            organization, by=request.user, user=member
        ),
        "{name} is active again, with their former roles.",
    )


# -------------------------------------------------------------- invitation


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: join when signed in, or make an account here (or
    sign in first and come back)."""
    found = get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by"),
        token_hash=token_hash(token),
    )
    problem = services.invitation_problem(found)
    signed_in = request.user.is_authenticated
    existing = (
        not signed_in
        and get_user_model().objects.filter(Q(email__iexact=found.email)).exists()
    )
    form = None
    if not problem and not signed_in and not existing:
        form = InvitationSignUpForm(request.POST or None, email=found.email)
    if request.method == "POST" and not problem:
        try:
            if signed_in:
                services.accept_invitation(token, user=request.user)
                user = request.user
            elif form is not None and form.is_valid():
                user = services.register_and_accept(
                    token,
                    username=form.cleaned_data["username"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(
                    request, user, backend="django.contrib.auth.backends.ModelBackend"
                )
            else:
                user = None
        except ValidationError as error:
            if form is not None:
                add_service_errors(form, error)
            else:
                problem = " ".join(error.messages)
        else:
            if user is not None:
                messages.success(
                    request,
                    f"Welcome to {found.organization}: you are "
                    f"{found.get_role_display().lower()}.",
                )
                return redirect("home")
    return render(
        request,
        "accounts/people/invitation.html",
        {
            "invitation": found,
            "problem": problem,
            "form": form,
            "existing": existing,
            "login_url": f"{reverse('login')}?next={request.path}",
        },
        status=410 if problem else (400 if form is not None and form.errors else 200),
    )
