"""Calibration for machines: a task's anchors and how far the caller's levels
are from them (`GET tasks/<id>/calibration/`), and a lead's anchor or a
grader's attempt on one (`POST submissions/<id>/calibration/anchor/`,
`…/attempt/`), through the calibration page's selector and services with its
permission functions."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.api import _by_criterion
from assessments.permissions import (
    get_submission_for_calibration,
    get_task_for_marking,
    is_calibrated,
)
from assessments.serializers import (
    CalibrationMarkSerializer,
    CalibrationReportSerializer,
    MarkSerializer,
)


class CalibrationReport(APIView):
    """The task's calibration set: each anchor, and the caller's distance
    from the lead's level on each criterion."""

    @extend_schema(responses=CalibrationReportSerializer)
    def get(self, request, pk: int) -> Response:
        task = get_task_for_marking(request.user, pk)
        report = selectors.calibration_report(task, request.user)
        anchors = [
            {
                "submission": item.submission.pk,
                "graded": item.attempt is not None,
                "criteria": [
                    {
                        "criterion": name,
                        "anchor_level": level.position,
                        "your_level": None if theirs is None else theirs.position,
                        "distance": distance,
                    }
                    for name, level, theirs, distance, _words in item.rows
                ],
            }
            for item in report.items
        ]
        return Response(
            {
                "calibrated": is_calibrated(request.user, task),
                "done": report.done,
                "anchors": anchors,
            }
        )


class _CalibrationMark(APIView):
    service = staticmethod(services.calibrate)
    person = "grader"
    kind = "attempt"

    @extend_schema(request=CalibrationMarkSerializer, responses={201: MarkSerializer})
    def post(self, request, pk: int) -> Response:
        submission = get_submission_for_calibration(request.user, pk, self.kind)
        get_task_for_marking(request.user, submission.task_id)
        data = CalibrationMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        levels, comments = _by_criterion(data.validated_data)
        mark = self.service(
            submission,
            levels=levels,
            comments=comments,
            comment=data.validated_data["comment"],
            **{self.person: request.user},
        )
        return Response(MarkSerializer(mark).data, status=status.HTTP_201_CREATED)


class CalibrationAnchor(_CalibrationMark):
    """Make a graded submission an anchor, with the lead's levels (faculty)."""

    service = staticmethod(services.set_anchor)
    person = "lead"
    kind = "anchor"


class CalibrationAttempt(_CalibrationMark):
    """Grade an anchor to calibrate; compared with the lead's levels."""
