"""The home page: a visitor's welcome, each staff role's waiting work, and a
learner's dashboard of progress and credentials."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.permissions import Role
from home import learning
from home.selectors import home_page


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "credentials/welcome.html")
    user = request.user
    today = timezone.localdate()
    cached = learning.read(user.pk)
    roles = frozenset(role for role, _ in learning.memberships(request, cached))
    unread, seated = learning.person_facts(user, cached)
    page = home_page(user, today=today, roles=roles, unread=unread, seated=seated)
    section = learning.learning_section(
        user, cached, is_learner=Role.LEARNER in page.roles, is_staff=page.is_staff
    )
    return render(
        request,
        "home/home.html",
        {"page": page, "today": today, "learning": section},
    )
