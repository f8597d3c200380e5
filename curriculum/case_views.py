"""CASE for the outside: item URIs that resolve, and a read-only CASE 1.1
service of published frameworks (https://www.imsglobal.org/spec/case/v1p1/)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from curriculum import selectors
from curriculum.models import Competency, CompetencyFramework
from curriculum.permissions import get_framework_for_viewing


@require_GET
def case_uri(request: HttpRequest, identifier: str) -> HttpResponse:
    """Resolve the URI of an item or framework authored in Cairn."""
    competency = (
        Competency.objects.filter(identifier=identifier)
        .select_related("framework")
        .first()
    )
    if competency is not None:
        framework = get_framework_for_viewing(request.user, competency.framework_id)
        return redirect(f"{framework.get_absolute_url()}#c-{competency.pk}")
    framework_pk = get_object_or_404(
        CompetencyFramework.objects.values_list("pk", flat=True),
        identifier=identifier,
    )
    return redirect(get_framework_for_viewing(request.user, framework_pk))


# A read-only CASE 1.1 service (https://www.imsglobal.org/spec/case/v1p1/),
# under /curriculum/: published frameworks only, as CASE consumers expect.


@require_GET
def case_service_documents(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        {"CFDocuments": selectors.case_documents()},
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def case_service_package(request: HttpRequest, identifier: str) -> HttpResponse:
    framework = (
        CompetencyFramework.objects.filter(
            identifier=identifier, status=CompetencyFramework.Status.PUBLISHED
        )
        .select_related("organization")
        .order_by("pk")
        .first()
    )
    if framework is None:
        return JsonResponse(
            {
                "imsx_codeMajor": "failure",
                "imsx_severity": "error",
                "imsx_description": f"No published framework {identifier}.",
                "imsx_CodeMinor": {
                    "imsx_codeMinorField": [
                        {
                            "imsx_codeMinorFieldName": "sourcedId",
                            "imsx_codeMinorFieldValue": "unknownobject",
                        }
                    ]
                },
            },
            status=404,
        )
    return JsonResponse(
        selectors.case_package(framework), json_dumps_params={"ensure_ascii": False}
    )
