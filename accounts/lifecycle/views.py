"""A person's account page and its actions; an organization admin's
self-registration policy and erasure queue."""

from allauth.account.models import EmailAddress
from allauth.socialaccount.forms import DisconnectForm
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.lifecycle import selectors, services
from accounts.lifecycle.adapter import SIGNUP_SESSION_KEY
from accounts.lifecycle.forms import (
    ErasureDecisionForm,
    ErasureRequestForm,
    NameForm,
    PreferencesForm,
    SignupPolicyForm,
)
from accounts.models import AccountSession
from accounts.permissions import Role, get_organization_for, organizations_where

ERASURES_PER_PAGE = 25


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _account_page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    if user.email and not EmailAddress.objects.filter(user=user).exists():
        # Accounts made before allauth (or by an admin) get their address on
        # record, unverified, so that they can verify it.
        EmailAddress.objects.create(user=user, email=user.email, primary=True)
    overview = selectors.account_overview(user)
    context = {
        "overview": overview,
        "current_session": request.session.session_key,
        "name_form": forms.get("name_form")
        or NameForm(
            initial={"first_name": user.first_name, "last_name": user.last_name}
        ),
        "preferences_form": forms.get("preferences_form")
        or PreferencesForm(instance=services.preferences_of(user)),
        "erasure_form": forms.get("erasure_form") or ErasureRequestForm(),
        "has_password": user.has_usable_password(),
        "administers": organizations_where(user, Role.ADMIN),
    }
    return render(request, "accounts/lifecycle/account.html", context, status=status)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Name, e-mail addresses, preferences, identity providers, sessions and
    the person's data."""
    return _account_page(request)


@login_required
@require_POST
def update_name(request: HttpRequest) -> HttpResponse:
    form = NameForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, name_form=form)
    services.update_name(request.user, **form.cleaned_data)
    messages.success(request, "Your name is saved.")
    return redirect("accounts:account")


@login_required
@require_POST
def update_preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST, instance=services.preferences_of(request.user))
    if not form.is_valid():
        return _account_page(request, status=400, preferences_form=form)
    services.update_preferences(request.user, **form.cleaned_data)
    messages.success(request, "Your preferences are saved.")
    return redirect("accounts:account")


@login_required
@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(AccountSession, pk=pk, user=request.user)
    if session.session_key == request.session.session_key:
        logout(request)
        messages.success(request, "You are signed out.")
        return redirect("login")
    services.end_session(request.user, session.session_key)
    messages.success(request, "That session is signed out.")
    return redirect("accounts:account")


@login_required
@require_POST
def end_all_sessions(request: HttpRequest) -> HttpResponse:
    user = request.user
    count = services.end_all_sessions(user)
    logout(request)
    messages.success(
        request, f"You are signed out everywhere ({count} session{'s'[: count != 1]})."
    )
    return redirect("login")


@login_required
@require_POST
def disconnect_identity(request: HttpRequest) -> HttpResponse:
    form = DisconnectForm(request.POST, request=request)
    if form.is_valid():
        form.save()
        messages.success(request, "The identity provider is disconnected.")
    else:
        messages.error(
            request,
            " ".join(" ".join(errors) for errors in form.errors.values())
            or "Choose an identity provider to disconnect.",
        )
    return redirect("accounts:account")


@login_required
@require_POST
def request_erasure(request: HttpRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, erasure_form=form)
    try:
        services.request_erasure(request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        form.add_error(None, error)
        return _account_page(request, status=400, erasure_form=form)
    messages.success(
        request,
        "Your request is sent. An administrator of your organization confirms "
        "it; until then nothing is erased.",
    )
    return redirect("accounts:account")


@require_GET
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's self-registration link: on to allauth's sign-up."""
    try:
        organization = services.registering_organization(slug)
    except PermissionDenied:
        return render(
            request,
            "account/signup_closed.html",
            {"organization_slug": slug},
            status=403,
        )
    policy = services.signup_policy_of(organization)
    request.session[SIGNUP_SESSION_KEY] = {
        "slug": organization.slug,
        "name": organization.name,
        "domains": policy.email_domains,
    }
    return redirect("account_signup")


@login_required
def signup_policy(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    policy = services.signup_policy_of(organization)
    form = SignupPolicyForm(
        request.POST or None,
        initial={
            "is_open": policy.is_open,
            "email_domains": ", ".join(policy.email_domains),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_signup_policy(
                organization,
                by=request.user,
                is_open=form.cleaned_data["is_open"],
                email_domains=form.cleaned_data["email_domains"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Self-registration is saved.")
            return redirect("accounts:signup-policy", slug)
    return render(
        request,
        "accounts/lifecycle/signup_policy.html",
        {
            "organization": organization,
            "form": form,
            "policy": policy,
            "join_url": request.build_absolute_uri(
                reverse("accounts:join", args=[organization.slug])
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def erasure_requests(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    page = Paginator(selectors.erasure_requests(organization), ERASURES_PER_PAGE)
    return render(
        request,
        "accounts/lifecycle/erasure_requests.html",
        {
            "organization": organization,
            "page": page.get_page(request.GET.get("page")),
            "form": ErasureDecisionForm(),
        },
    )


@login_required
@require_POST
def decide_erasure(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    erasure = get_object_or_404(selectors.erasure_requests(organization), pk=pk)
    form = ErasureDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(sum(form.errors.values(), [])))
        return redirect("accounts:erasure-requests", slug)
    try:
        if form.cleaned_data["decision"] == "confirm":
            services.confirm_erasure(
                erasure, by=request.user, organization=organization
            )
            messages.success(request, "Confirmed: the person's data is being erased.")
        else:
            services.decline_erasure(
                erasure,
                by=request.user,
                organization=organization,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, "Declined.")
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("accounts:erasure-requests", slug)
