"""Signing in, and an organization admin's reading of its audit trail.

Logging in is slowed down for guessers: failed attempts are limited per client
address and per username each minute (accounts/ratelimit.py), so neither one
address trying many names nor many addresses trying one name gets far. Only
failures count: a class behind one campus address all log in."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import ratelimit, selectors
from accounts.audit_export import audit_csv_response
from accounts.forms import AuditFilterForm
from accounts.permissions import Role, get_organization_for
from accounts.sso import services as sso_services


class LoginView(auth_views.LoginView):
    """The one login page (allauth's /auth/login/ is sent here)."""

    def _username(self) -> str:
        return self.request.POST.get("username", "").strip().lower()[:150]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        limit = settings.CAIRN_LOGINS_PER_MINUTE
        username = self._username()
        by_address = ratelimit.reached(request, "login-failed", limit)
        by_name = bool(username) and ratelimit.reached(
            request, "login-failed-name", limit, key=username
        )
        if by_address or by_name:
            response = self.render_to_response(
                self.get_context_data(
                    form=self.get_form_class()(request), throttled=True
                ),
                status=429,
            )
            response["Retry-After"] = str(ratelimit.WINDOW_SECONDS)
            return response
        return super().post(request, *args, **kwargs)

    def _record_failure(self) -> None:
        """Count a failure against the address and the name tried."""
        ratelimit.record(self.request, "login-failed")
        if username := self._username():
            ratelimit.record(self.request, "login-failed-name", key=username)

    def form_valid(self, form):
        # An organization may keep its members to its identity provider. The
        # refusal counts as a failure: otherwise it would tell a guesser, without
        # limit, that the password was right.
        if refusal := sso_services.password_login_refusal(form.get_user()):
            self._record_failure()
            return self.render_to_response(
                self.get_context_data(form=form, sso_refusal=refusal), status=403
            )
        return super().form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        self._record_failure()
        return super().form_invalid(form)


AUDIT_PER_PAGE = 50


@login_required
@require_GET
def audit_trail(request: HttpRequest, slug: str) -> HttpResponse:
    """An admin's reading of who did what in the organization, or all that the
    filters find as CSV."""
    organization = get_organization_for(request.user, slug, Role.ADMIN)
    form = AuditFilterForm(
        request.GET or None,
        areas=selectors.audit_areas(organization, request.GET.get("area", "")),
    )
    filters = form.filters()
    entries = selectors.audit_trail(organization, **filters)
    if "format" in request.GET:
        if request.GET["format"] != "csv":
            return HttpResponseBadRequest("Only format=csv is offered.")
        if form.errors:
            return HttpResponseBadRequest("Correct the filters first.")
        return audit_csv_response(organization, entries)
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {
            "organization": organization,
            "form": form,
            "page": page,
            "rows": list(selectors.audit_rows(page.object_list, organization)),
            "filtered": bool(filters),
            "query_string": query_string.urlencode(),
            "timezone_name": timezone.get_current_timezone_name(),
            "system_name": selectors.AUDIT_SYSTEM_NAME,
        },
        status=400 if form.errors else 200,
    )
