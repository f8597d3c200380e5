from django.db.models import Q
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.permissions import organizations_where
from reviews import permissions, selectors, services
from reviews.models import AdvisoryBoard, Review
from reviews.serializers import (
    ReviewCommentSerializer,
    ReviewDeclarationSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    ReviewSubmitSerializer,
    ReviewVoteSerializer,
)

Role = Membership.Role


class ReviewList(generics.ListAPIView):
    """Rounds of review you can see; ?waiting=1 for those waiting for your vote."""

    serializer_class = ReviewSerializer

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("waiting"):
            return selectors.waiting_for(user)
        staff = organizations_where(user, Role.DESIGNER, Role.ADMIN, Role.REVIEWER)
        return (
            Review.objects.filter(
                Q(board__organization__in=staff)
                | Q(
                    board__members__user=user, board__members__accepted_at__isnull=False
                )
            )
            .select_related("board")
            .distinct()
            .order_by("-submitted_at", "-pk")
        )


class ReviewDetail(generics.RetrieveAPIView):
    serializer_class = ReviewDetailSerializer

    def get_object(self):
        return permissions.get_review_for_viewing(self.request.user, self.kwargs["pk"])


class ReviewSubmit(APIView):
    @extend_schema(request=ReviewSubmitSerializer, responses=ReviewSerializer)
    def post(self, request):
        serializer = ReviewSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = permissions.get_version_for_submitting(
            request.user, data.pop("kind"), data.pop("version")
        )
        board = get_object_or_404(
            AdvisoryBoard, pk=data.pop("board"), organization=version.organization
        )
        review = services.submit_for_review(
            version, by=request.user, board=board, **data
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class _ReviewAction(APIView):
    def review(self, request, pk: int) -> Review:
        review = permissions.get_review_for_viewing(request.user, pk)
        if not permissions.can_take_part(request.user, review):
            self.permission_denied(request, "Only seated members take part.")
        return review


class ReviewDeclare(_ReviewAction):
    @extend_schema(request=ReviewDeclarationSerializer, responses=ReviewSerializer)
    def post(self, request, pk: int):
        review = self.review(request, pk)
        serializer = ReviewDeclarationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.declare_interest(
            review, user=request.user, **serializer.validated_data
        )
        review.refresh_from_db()
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewComment(_ReviewAction):
    @extend_schema(request=ReviewCommentSerializer, responses=ReviewCommentSerializer)
    def post(self, request, pk: int):
        review = self.review(request, pk)
        serializer = ReviewCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.add_comment(
            review, user=request.user, **serializer.validated_data
        )
        return Response(
            ReviewCommentSerializer(comment).data, status=status.HTTP_201_CREATED
        )


class ReviewVote(_ReviewAction):
    @extend_schema(request=ReviewVoteSerializer, responses=ReviewSerializer)
    def post(self, request, pk: int):
        review = self.review(request, pk)
        serializer = ReviewVoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cast_vote(review, user=request.user, **serializer.validated_data)
        review.refresh_from_db()
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
