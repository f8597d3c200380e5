from django.utils import timezone
from rest_framework import serializers

from reviews.models import AdvisoryBoard, BoardMember, Comment, Review, Vote
from reviews.selectors import KINDS, PARENTS


class ReviewVoteSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Vote
        fields = ["id", "member", "decision", "reason", "cast_at"]
        read_only_fields = ["id", "member", "cast_at"]


class ReviewCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "author",
            "anchor_kind",
            "anchor_key",
            "anchor_label",
            "body",
            "status",
            "response",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "author",
            "anchor_label",
            "status",
            "response",
            "created_at",
        ]


class ReviewSerializer(serializers.ModelSerializer):
    board = serializers.CharField(source="board.name", read_only=True)
    policy = serializers.CharField(source="board.policy_text", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "board",
            "policy",
            "version_type",
            "version_id",
            "version_label",
            "round",
            "status",
            "submitted_at",
            "due_on",
            "note",
            "decision",
        ]
        read_only_fields = fields


class ReviewDetailSerializer(ReviewSerializer):
    votes = ReviewVoteSerializer(many=True, read_only=True)
    comments = ReviewCommentSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "content", "votes", "comments"]
        read_only_fields = fields


class ReviewSubmitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["module", "pathway"])
    version = serializers.IntegerField()
    board = serializers.IntegerField()
    due_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ReviewDeclarationSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BoardSerializer(serializers.ModelSerializer):
    """An advisory board: its quorum (approvals needed, rejections survived)
    and its usual time to review, in days."""

    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    policy = serializers.CharField(source="policy_text", read_only=True)
    name = serializers.CharField(max_length=200)
    approvals_needed = serializers.IntegerField(min_value=1, max_value=100, default=2)
    rejections_allowed = serializers.IntegerField(min_value=0, max_value=100, default=0)
    review_days = serializers.IntegerField(min_value=1, max_value=180, default=14)

    class Meta:
        model = AdvisoryBoard
        fields = [
            "id",
            "organization",
            "name",
            "description",
            "approvals_needed",
            "rejections_allowed",
            "review_days",
            "policy",
            "created_at",
        ]
        read_only_fields = ["id", "organization", "policy", "created_at"]


class BoardMemberSerializer(serializers.ModelSerializer):
    """A seat on a board: invited by e-mail (the link goes to the address), taken
    once the invitation is accepted."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    is_practitioner = serializers.BooleanField(
        default=True, help_text="An outside practitioner rather than staff."
    )
    username = serializers.CharField(
        source="user.username", read_only=True, allow_null=True, default=None
    )
    status = serializers.SerializerMethodField(
        help_text="invited, seated or expired (invited, and the link has expired)"
    )

    class Meta:
        model = BoardMember
        fields = [
            "id",
            "name",
            "email",
            "is_practitioner",
            "is_named_publicly",
            "username",
            "status",
            "invited_at",
            "expires_at",
            "accepted_at",
        ]
        read_only_fields = [
            "id",
            "is_named_publicly",
            "username",
            "status",
            "invited_at",
            "expires_at",
            "accepted_at",
        ]

    def get_status(self, member: BoardMember) -> str:
        if member.accepted_at is not None:
            return "seated"
        return "expired" if member.expires_at < timezone.now() else "invited"


class ReviewWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the round is withdrawn")


class CommentResponseSerializer(serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, default="")
    resolve = serializers.BooleanField(
        required=False, default=False, help_text="Mark the comment resolved"
    )


class NextDraftSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["module", "pathway"])
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="A published version's id"
    )


class DraftSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    status = serializers.CharField()


# ------------------------------------------------- overdue list (apigaps1)


class OverdueVersionSerializer(serializers.Serializer):
    """A published version whose next review date has passed."""

    kind = serializers.SerializerMethodField()
    id = serializers.IntegerField()
    code = serializers.SerializerMethodField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    review_due_on = serializers.DateField()

    def get_kind(self, version) -> str:
        return KINDS[version._meta.label]

    def get_code(self, version) -> str:
        return getattr(version, PARENTS[KINDS[version._meta.label]]).code


class OverdueSerializer(serializers.Serializer):
    versions = OverdueVersionSerializer(many=True)
    reviews = ReviewSerializer(many=True)
