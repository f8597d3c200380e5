"""Advisory boards for machines, under /api/organizations/<slug>/boards/: the
board pages' actions through the same services and permission functions."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from reviews import permissions, services
from reviews.serializers import BoardMemberSerializer, BoardSerializer


class BoardList(generics.ListCreateAPIView):
    """An organization's advisory boards, for its admins; create one."""

    serializer_class = BoardSerializer

    def get_queryset(self):
        organization = permissions.get_organization_for_boards(
            self.request.user, self.kwargs["slug"]
        )
        return organization.advisory_boards.order_by("name", "pk")

    def create(self, request, *args, **kwargs):
        # Who may create is settled before the body is read.
        self.organization = permissions.get_organization_for_boards(
            request.user, kwargs["slug"]
        )
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        serializer.instance = services.create_board(
            self.organization, by=self.request.user, **serializer.validated_data
        )


class BoardDetail(generics.RetrieveUpdateAPIView):
    """One board; change its name, description, quorum or usual review time
    (the quorum stays while a round is open)."""

    serializer_class = BoardSerializer

    def get_object(self):
        return permissions.get_board_of_organization(
            self.request.user, self.kwargs["slug"], self.kwargs["pk"]
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.update_board(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )


class BoardMemberList(generics.ListCreateAPIView):
    """A board's seats, invited and taken; invite someone by e-mail (the link
    goes to them by e-mail, as from the board page)."""

    serializer_class = BoardMemberSerializer
    pagination_class = None  # a board seats a handful

    def get_queryset(self):
        board = permissions.get_board_of_organization(
            self.request.user, self.kwargs["slug"], self.kwargs["pk"]
        )
        return board.members.select_related("user").order_by("name", "pk")

    @extend_schema(responses={201: BoardMemberSerializer})
    def post(self, request, slug: str, pk: int) -> Response:
        board = permissions.get_board_of_organization(request.user, slug, pk)
        data = BoardMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member, _ = services.invite_member(
            board, by=request.user, **data.validated_data
        )
        return Response(
            BoardMemberSerializer(member).data, status=status.HTTP_201_CREATED
        )
