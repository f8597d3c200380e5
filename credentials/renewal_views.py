"""Renewing a credential that expires: a new award, the old one kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import add_service_errors
from credentials import permissions, services
from credentials.forms import RenewalForm


@login_required
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, uuid) -> HttpResponse:
    """An admin renews an expiring or expired credential, after a confirmation."""
    award = permissions.get_award_for_managing(request.user, uuid)
    form = RenewalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.renew_award(
                award, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            until = formats.date_format(
                timezone.localtime(new.expires_at), "DATE_FORMAT"
            )
            messages.success(
                request,
                f"A renewed credential was issued, valid until {until}; the earlier "
                "one stays in the record.",
            )
            return redirect(new)
    return render(
        request,
        "credentials/award_renew.html",
        {"award": award, "form": form, "renewable": services.can_be_renewed(award)},
        status=400 if request.method == "POST" else 200,
    )
