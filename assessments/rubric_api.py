"""The rubric builder for machines, under /api/tasks/<id>/rubric/: each of the
builder's changes (pass policy, criteria, levels, cells, copying a rubric)
through the services the builder's page calls, with the same permission
function (`get_task_for_editing`: the task's version must be a draft its
caller may edit). Every answer is the task with its whole rubric, as
`GET /api/tasks/<id>/` gives it. Level positions count from 0, the lowest."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import services
from assessments.models import AssessmentTask
from assessments.permissions import (
    cell_of,
    criterion_of,
    get_task_for_editing,
    rubric_source_for,
)
from assessments.serializers import (
    SMALL,
    CellSerializer,
    CriterionWriteSerializer,
    LevelAddSerializer,
    LevelRenameSerializer,
    MoveSerializer,
    RubricCopySerializer,
    RubricPolicySerializer,
    TaskSerializer,
)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _answer(task: AssessmentTask, code: int = status.HTTP_200_OK) -> Response:
    task = AssessmentTask.objects.select_related("rubric").get(pk=task.pk)
    return Response(TaskSerializer(task).data, status=code)


def _level_position(position: int) -> int:
    """A column position from the path; past any rubric's scale it is no level."""
    if position > SMALL:
        raise NotFound("The rubric has no such level.")
    return position


def _outcomes(task: AssessmentTask, ids: list[int]) -> list:
    """The task's version's outcomes by id; an id of another version is a 400."""
    mine = {o.pk: o for o in task.version.outcomes.all()}
    unknown = [pk for pk in ids if pk not in mine]
    if unknown:
        raise serializers.ValidationError(
            {"outcomes": f"Outcomes {unknown} are not in this module version."}
        )
    return [mine[pk] for pk in ids]


class RubricPolicy(APIView):
    """Set the rubric's kind and pass policy (a minimum total, a minimum level
    on every criterion, or both)."""

    @extend_schema(request=RubricPolicySerializer, responses=TaskSerializer)
    def put(self, request, pk: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(RubricPolicySerializer, request)
        services.update_rubric_policy(task.rubric, by=request.user, **data)
        return _answer(task)


class CriterionAdd(APIView):
    """Add a criterion (a row) with the rubric's levels and no descriptors yet."""

    @extend_schema(request=CriterionWriteSerializer, responses=TaskSerializer)
    def post(self, request, pk: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(CriterionWriteSerializer, request)
        services.add_criterion(
            task.rubric,
            by=request.user,
            name=data["name"],
            outcomes=_outcomes(task, data["outcomes"]),
        )
        return _answer(task, status.HTTP_201_CREATED)


class CriterionDetail(APIView):
    """Rename a criterion, tie it to outcomes, give it a floor; or remove it."""

    @extend_schema(request=CriterionWriteSerializer, responses=TaskSerializer)
    def put(self, request, pk: int, criterion: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        row = criterion_of(task, criterion)
        data = _valid(CriterionWriteSerializer, request)
        services.update_criterion(
            row,
            by=request.user,
            name=data["name"],
            outcomes=_outcomes(task, data["outcomes"]),
            min_level=data["min_level"],
        )
        return _answer(task)

    @extend_schema(request=None, responses=TaskSerializer)
    def delete(self, request, pk: int, criterion: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        services.remove_criterion(criterion_of(task, criterion), by=request.user)
        return _answer(task)


class CriterionMove(APIView):
    """Move a criterion one place up (-1) or down (1)."""

    @extend_schema(request=MoveSerializer, responses=TaskSerializer)
    def post(self, request, pk: int, criterion: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        row = criterion_of(task, criterion)
        data = _valid(MoveSerializer, request)
        services.move_criterion(row, by=request.user, offset=data["offset"])
        return _answer(task)


class LevelAdd(APIView):
    """Add a level (a column) to every criterion, placed by its points."""

    @extend_schema(request=LevelAddSerializer, responses=TaskSerializer)
    def post(self, request, pk: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(LevelAddSerializer, request)
        services.add_level(task.rubric, by=request.user, **data)
        return _answer(task, status.HTTP_201_CREATED)


class LevelDetail(APIView):
    """Rename the level at a position in every criterion, or remove it."""

    @extend_schema(request=LevelRenameSerializer, responses=TaskSerializer)
    def put(self, request, pk: int, position: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(LevelRenameSerializer, request)
        services.update_level_name(
            task.rubric,
            by=request.user,
            position=_level_position(position),
            name=data["name"],
        )
        return _answer(task)

    @extend_schema(request=None, responses=TaskSerializer)
    def delete(self, request, pk: int, position: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        services.remove_level(
            task.rubric, by=request.user, position=_level_position(position)
        )
        return _answer(task)


class LevelMove(APIView):
    """Swap the level at a position with its neighbour (-1 left, 1 right)."""

    @extend_schema(request=MoveSerializer, responses=TaskSerializer)
    def post(self, request, pk: int, position: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(MoveSerializer, request)
        services.move_level(
            task.rubric,
            by=request.user,
            position=_level_position(position),
            offset=data["offset"],
        )
        return _answer(task)


class CellUpdate(APIView):
    """One cell of the grid: a criterion's level, its points and descriptor."""

    @extend_schema(request=CellSerializer, responses=TaskSerializer)
    def put(self, request, pk: int, cell: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        level = cell_of(task, cell)
        data = _valid(CellSerializer, request)
        services.update_cell(level, by=request.user, **data)
        return _answer(task)


class RubricCopy(APIView):
    """Replace this task's rubric with a copy of another task's rubric of the
    same organization."""

    @extend_schema(request=RubricCopySerializer, responses=TaskSerializer)
    def post(self, request, pk: int) -> Response:
        task = get_task_for_editing(request.user, pk)
        data = _valid(RubricCopySerializer, request)
        source = rubric_source_for(task, data["source"])
        services.copy_rubric(source, into=task, by=request.user)
        return _answer(task)
