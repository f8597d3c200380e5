"""Adding many people to a cohort at once: a pasted list, or people found by
a search and picked."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.forms import add_service_errors
from accounts.models import Membership
from assessments import selectors, services
from assessments.permissions import get_cohort_for_managing

ROLE_CHOICES = [
    (Membership.Role.LEARNER, "Learners"),
    (Membership.Role.FACULTY, "Graders"),
]


class CohortAddManyForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, label="Add them as")
    people = forms.CharField(
        required=False,
        label="Usernames or e-mails, one a line",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=200_000,
    )


@login_required
def cohort_add_many(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_managing(request.user, pk)
    form = CohortAddManyForm(request.POST or None, initial={"role": "learner"})
    if request.method == "POST":
        picked = [int(v) for v in request.POST.getlist("pick") if v.isdigit()]
        if form.is_valid():
            try:
                added = services.add_many_to_cohort(
                    cohort,
                    by=request.user,
                    lines=form.cleaned_data["people"].splitlines(),
                    picked=picked,
                    as_role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"{len(added)} added to {cohort}; anyone already in it stays.",
                )
                return redirect(cohort)
    return render(
        request,
        "assessments/cohort_add_many.html",
        {"cohort": cohort, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def cohort_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The search's results as checkboxes (htmx), or the page around them."""
    cohort = get_cohort_for_managing(request.user, pk)
    role = request.GET.get("role", Membership.Role.LEARNER)
    if role not in (Membership.Role.LEARNER, Membership.Role.FACULTY):
        role = Membership.Role.LEARNER
    q = request.GET.get("q", "")[:200]
    found = selectors.cohort_candidates(cohort, q=q, as_role=role) if q.strip() else []
    template = "assessments/cohort_add_many.html"
    if request.htmx:
        template += "#candidates"
    response = render(
        request,
        template,
        {
            "cohort": cohort,
            "form": CohortAddManyForm(initial={"role": role}),
            "found": found,
            "q": q,
        },
    )
    response["Vary"] = "HX-Request"
    return response
