"""Recognition of prior learning for machines, under
/api/organizations/<slug>/recognition/: the decisions the recognition page
lists and records, through the same service (`record_recognition`), for the
organization's admins."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from assessments import selectors, services
from assessments.permissions import get_organization_for_recognition
from assessments.serializers import RecognitionCreateSerializer, RecognitionSerializer
from curriculum.models import ModuleVersion


class RecognitionList(generics.ListAPIView):
    """The organization's recognition decisions, newest first; an admin
    records one (accepting records the module completion). An outside
    credential comes as a multipart `file` and must be an Open Badges file
    whose proof does not fail and which has not expired, unless
    `accept_expired`."""

    serializer_class = RecognitionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        organization = get_organization_for_recognition(
            self.request.user, self.kwargs["slug"]
        )
        return selectors.recognition_decisions([organization]).order_by(
            "-decided_at", "-pk"
        )

    @extend_schema(request=RecognitionCreateSerializer, responses=RecognitionSerializer)
    def post(self, request, slug: str) -> Response:
        organization = get_organization_for_recognition(request.user, slug)
        serializer = RecognitionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        learner = selectors.find_person(data.pop("learner"))
        if learner is None:
            raise serializers.ValidationError(
                {"learner": "No one has that username or e-mail."}
            )
        version = ModuleVersion.objects.filter(
            pk=data.pop("version"), module__organization=organization
        ).first()
        if version is None:
            raise serializers.ValidationError(
                {"version": "This organization has no such module version."}
            )
        decision = services.record_recognition(
            learner,
            version,
            by=request.user,
            upload=data.pop("file", None),
            **data,
        )
        return Response(
            RecognitionSerializer(decision).data, status=status.HTTP_201_CREATED
        )
