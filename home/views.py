"""The home page: a visitor's welcome, each staff role's waiting work, and a
learner's dashboard of progress and credentials."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import Role, organizations_where
from credentials.selectors import learner_awards
from home.selectors import home_page
from pathways.selectors import learner_progress


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "credentials/welcome.html")
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    page = home_page(user, today=today)
    is_learner = organizations_where(user, Role.LEARNER).exists()
    return render(
        request,
        "home/home.html",
        {
            "page": page,
            "today": today,
            "is_learner": is_learner,
            "progress": learner_progress(user, on=now),
            "awards": learner_awards(user),
        },
    )
