"""Pages for API tokens: a person's own, and an organization admin's service
accounts. A new token's secret is shown once, in the answer to the form that
made it, and never again: only its hash is kept."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.forms import add_service_errors
from accounts.permissions import Role, get_organization_for
from integrations.models import ApiToken, ServiceAccount
from integrations.tokens import selectors, services
from integrations.tokens.forms import ServiceAccountForm, TokenForm


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Your personal access tokens, and a form for a new one."""
    form = TokenForm(request.POST or None)
    new_secret = None
    if form.is_valid():
        try:
            token, new_secret = services.create_personal_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = TokenForm()
    response = render(
        request,
        "integrations/token_list.html",
        {
            "form": form,
            "tokens": selectors.personal_tokens(request.user),
            "new_secret": new_secret,
            "usage": new_secret
            and (
                f'Try it: curl -H "Authorization: Bearer {new_secret}" '
                f"{settings.SITE_URL}/api/organizations/"
            ),
        },
        status=400 if form.errors else 200,
    )
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken, pk=pk, user=request.user, service_account__isnull=True
    )
    back = reverse("integrations:tokens")
    if request.method == "POST":
        services.revoke_token(token, by=request.user)
        messages.success(request, f"The token “{token.name}” no longer works.")
        return redirect(back)
    return _confirm_revoke(request, token, back)


def _confirm_revoke(request: HttpRequest, token: ApiToken, back: str) -> HttpResponse:
    return render(
        request,
        "curriculum/confirm.html",
        {
            "title": f"Revoke the token “{token.name}”?",
            "text": f"{token.prefix}… stops working at once, for good. Scripts "
            "that use it will be refused.",
            "action": request.path,
            "button": "Revoke the token",
            "back": back,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_account_list(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's service accounts and their tokens, for its admins."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = ServiceAccountForm(request.POST or None)
    if form.is_valid():
        try:
            account = services.create_service_account(
                organization,
                by=request.user,
                name=form.cleaned_data["name"],
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"The service account “{account.name}” is made: issue it a token.",
            )
            return redirect("integrations:service-accounts", organization.slug)
    return _service_account_page(request, organization, form=form)


def _service_account_page(
    request, organization, *, form=None, token_forms=None, new_secret=None
):
    accounts = list(selectors.service_accounts(organization))
    token_forms = token_forms or {}
    for account in accounts:
        account.token_form = token_forms.get(
            account.pk, TokenForm(prefix=f"account-{account.pk}")
        )
        account.roles = sorted(
            m.get_role_display()
            for m in account.user.memberships.all()
            if m.organization_id == organization.pk
        )
    errors = (form is not None and form.errors) or any(
        f.errors for f in token_forms.values()
    )
    response = render(
        request,
        "integrations/service_account_list.html",
        {
            "organization": organization,
            "form": form or ServiceAccountForm(),
            "accounts": accounts,
            "new_secret": new_secret,
        },
        status=400 if errors else 200,
    )
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


def _account_for_admin(request, slug: str, pk: int) -> ServiceAccount:
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    return get_object_or_404(
        ServiceAccount.objects.select_related("organization", "user"),
        pk=pk,
        organization=organization,
    )


@login_required
@require_http_methods(["POST"])
def service_token_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    account = _account_for_admin(request, slug, pk)
    form = TokenForm(request.POST, prefix=f"account-{account.pk}")
    new_secret = None
    if form.is_valid():
        try:
            token, new_secret = services.create_service_token(
                account,
                by=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            new_secret = (account, token, new_secret)
            form = None
    return _service_account_page(
        request,
        account.organization,
        token_forms={account.pk: form} if form else None,
        new_secret=new_secret,
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_token_revoke(
    request: HttpRequest, slug: str, pk: int, token_pk: int
) -> HttpResponse:
    account = _account_for_admin(request, slug, pk)
    token = get_object_or_404(ApiToken, pk=token_pk, service_account=account)
    back = reverse("integrations:service-accounts", args=[slug])
    if request.method == "POST":
        services.revoke_token(token, by=request.user)
        messages.success(request, f"The token “{token.name}” no longer works.")
        return redirect(back)
    return _confirm_revoke(request, token, back)


@login_required
@require_http_methods(["GET", "POST"])
def service_account_deactivate(request: HttpRequest, slug: str, pk: int):
    account = _account_for_admin(request, slug, pk)
    back = reverse("integrations:service-accounts", args=[slug])
    if request.method == "POST":
        services.deactivate_service_account(account, by=request.user)
        messages.success(request, f"“{account.name}” is deactivated.")
        return redirect(back)
    return render(
        request,
        "curriculum/confirm.html",
        {
            "title": f"Deactivate the service account “{account.name}”?",
            "text": "Every token it holds, and every OAuth token of its client, "
            "stops working at once, for good.",
            "action": request.path,
            "button": "Deactivate it",
            "back": back,
        },
    )
