from django.db.models import QuerySet

from curriculum.models import ModuleVersion, Organization


def versions_for_staff(
    organizations: QuerySet[Organization],
) -> QuerySet[ModuleVersion]:
    return (
        ModuleVersion.objects.filter(module__organization__in=organizations)
        .select_related("module__organization")
        .order_by("module__organization__name", "module__code", "-number")
    )


def version_detail(pk: int) -> ModuleVersion:
    """A module version with outcomes, tasks and rubric grid, in a fixed number of
    queries. Tasks are named by their reverse relation so that curriculum does not
    import the assessments app above it."""
    return (
        ModuleVersion.objects.select_related("module__organization")
        .prefetch_related(
            "outcomes__competencies",
            "tasks__rubric__criteria__levels",
            "tasks__rubric__criteria__outcomes",
        )
        .get(pk=pk)
    )
