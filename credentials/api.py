from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from credentials import selectors, services
from credentials.models import Award
from credentials.serializers import AwardSerializer, VerificationSerializer


class MyAwardList(generics.ListAPIView):
    """Your credentials."""

    serializer_class = AwardSerializer

    def get_queryset(self):
        return selectors.learner_awards(self.request.user)


class AwardVerification(APIView):
    """Anyone can check a credential Cairn issued."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=VerificationSerializer)
    def get(self, request, uuid):
        try:
            award = selectors.public_award(uuid)
        except Award.DoesNotExist as missing:
            raise Http404 from missing
        result = services.verify_award(award)
        return Response(
            {
                "status": result.status,
                "headline": result.headline,
                "checks": [
                    {"passed": ok, "says": words} for ok, words in result.checks
                ],
            }
        )
