from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Membership, Organization
from accounts.permissions import get_organization_for, organizations_where
from curriculum import lifecycle
from reviews import permissions, selectors, services
from reviews.models import AdvisoryBoard, Review
from reviews.serializers import (
    CommentResponseSerializer,
    DraftSerializer,
    NextDraftSerializer,
    OverdueSerializer,
    ReviewCommentSerializer,
    ReviewDeclarationSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
    ReviewSubmitSerializer,
    ReviewVoteSerializer,
    ReviewWithdrawSerializer,
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


class ReviewWithdraw(APIView):
    """Withdraw an open round (designers and admins): the version is a draft
    again."""

    @extend_schema(request=ReviewWithdrawSerializer, responses=ReviewSerializer)
    def post(self, request, pk: int):
        review = permissions.get_review_for_viewing(request.user, pk)
        if not permissions.can_withdraw(request.user, review):
            self.permission_denied(request, "Designers and admins withdraw a round.")
        data = ReviewWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.withdraw_review(
            review, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ReviewSerializer(review).data)


class CommentRespond(APIView):
    """Answer a reviewer's comment, or mark it resolved."""

    @extend_schema(request=CommentResponseSerializer, responses=ReviewCommentSerializer)
    def post(self, request, pk: int):
        comment = permissions.get_comment_for_responding(request.user, pk)
        data = CommentResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.respond_to_comment(
            comment, by=request.user, **data.validated_data
        )
        return Response(ReviewCommentSerializer(comment).data)


class NextDraft(APIView):
    """Start the next draft of a published version, copied from it."""

    @extend_schema(request=NextDraftSerializer, responses={201: DraftSerializer})
    def post(self, request):
        data = NextDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kind = data.validated_data["kind"]
        version = permissions.get_version_for_next_draft(
            request.user, kind, data.validated_data["version"]
        )
        draft = lifecycle.start_next_draft(version, by=request.user)
        return Response(
            {
                "kind": kind,
                "id": draft.pk,
                "number": draft.number,
                "status": draft.status,
            },
            status=status.HTTP_201_CREATED,
        )


# ------------------------------------------------- overdue list (apigaps1)


class Overdue(APIView):
    """What the overdue page lists for one organization: its published
    versions past their review date (most overdue first) and its open rounds
    of review past their due date. Its admins only."""

    @extend_schema(responses=OverdueSerializer)
    def get(self, request, slug: str) -> Response:
        organization = get_organization_for(request.user, slug, Role.ADMIN)
        one = Organization.objects.filter(pk=organization.pk)
        today = timezone.localdate()
        rounds = selectors.overdue_reviews(one, today=today).select_related("board")
        versions = selectors.overdue_versions(one, today=today)
        answer = OverdueSerializer({"versions": versions, "reviews": rounds})
        return Response(answer.data)
