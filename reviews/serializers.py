from rest_framework import serializers

from reviews.models import Comment, Review, Vote


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
