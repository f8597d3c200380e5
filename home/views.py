"""The home page: a visitor's welcome, each staff role's waiting work, and a
learner's dashboard of progress and credentials."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import Role
from home.learning import learning_section
from home.selectors import home_page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "credentials/welcome.html")
    user = request.user
    today = timezone.localdate()
    page = home_page(user, today=today)
    learning = learning_section(
        user, is_learner=Role.LEARNER in page.roles, is_staff=page.is_staff
    )
    return render(
        request,
        "home/home.html",
        {"page": page, "today": today, "learning": learning},
    )
