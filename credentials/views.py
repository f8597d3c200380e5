import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.selectors import grading_queue
from credentials import selectors, services
from credentials.models import Award
from curriculum.models import Membership
from curriculum.permissions import organizations_where
from pathways.selectors import learner_progress

Role = Membership.Role


def _award_or_404(uuid) -> Award:
    try:
        return selectors.public_award(uuid)
    except Award.DoesNotExist as missing:
        raise Http404("No credential has this identifier.") from missing


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: a learner's progress and credentials, and each role's work."""
    if not request.user.is_authenticated:
        return render(request, "credentials/welcome.html")
    user = request.user
    context = {
        "progress": learner_progress(user, on=timezone.now()),
        "awards": selectors.learner_awards(user),
        "is_learner": organizations_where(user, Role.LEARNER).exists(),
        "queue_count": grading_queue(user).count()
        if organizations_where(user, Role.FACULTY).exists()
        else None,
        "staff_organizations": organizations_where(user, Role.DESIGNER, Role.ADMIN),
    }
    return render(request, "credentials/dashboard.html", context)


@require_GET
def verify(request: HttpRequest, uuid) -> HttpResponse:
    award = _award_or_404(uuid)
    return render(
        request,
        "credentials/verify.html",
        {
            "award": award,
            "verification": services.verify_award(award),
            "credential_json": json.dumps(award.credential, indent=2),
        },
    )


@require_GET
def credential_json(request: HttpRequest, uuid) -> JsonResponse:
    award = _award_or_404(uuid)
    response = JsonResponse(award.credential, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'inline; filename="{award.uuid}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def certificate_pdf(request: HttpRequest, uuid) -> FileResponse:
    award = _award_or_404(uuid)
    if not award.pdf:
        raise Http404("The certificate is still being prepared. Try again shortly.")
    return FileResponse(
        award.pdf.open("rb"),
        content_type="application/pdf",
        filename=f"{award.uuid}.pdf",
    )


@require_GET
def did_document(request: HttpRequest) -> JsonResponse:
    if settings.CAIRN_DID_METHOD != "web":
        raise Http404("This site's issuers use did:key, which needs no document.")
    response = JsonResponse(services.site_did_document())
    response["Access-Control-Allow-Origin"] = "*"
    return response


@login_required
def my_credentials(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "credentials/award_list.html",
        {"awards": selectors.learner_awards(request.user)},
    )
