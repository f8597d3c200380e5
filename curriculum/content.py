"""The canonical content of versions as plain data, for digests, diffs and review.

Module content is gathered for many versions at once in a fixed number of queries
(never one per outcome, criterion or level). Tasks and rubrics are reached by their
reverse relations so that curriculum does not import the assessments app above it.
A pathway's content is its own row (the rule), read without a query. A badge
image is its file's hash, read from storage (no query).
"""

import hashlib
from collections.abc import Iterable

from curriculum.digest import ALGORITHM
from curriculum.models import ModuleVersion, VersionedContent


def _module_versions(pks: Iterable[int]):
    return (
        ModuleVersion.objects.filter(pk__in=list(pks))
        .select_related("module")
        .prefetch_related(
            "outcomes__competencies",
            "tasks__rubric__criteria__levels",
            "tasks__rubric__criteria__outcomes",
            "prerequisites",
        )
    )


def badge_image_digest(version: VersionedContent) -> str:
    """The badge image as content: a hash of its bytes ("" without one), so that
    the same picture under another stored name is the same content. A file missing
    from storage is named instead, so that content can still be shown."""
    if not version.badge_image:
        return ""
    try:
        with version.badge_image.storage.open(version.badge_image.name, "rb") as f:
            data = f.read()
    except OSError:
        return f"missing:{version.badge_image.name}"
    return f"{ALGORITHM}:{hashlib.sha256(data).hexdigest()}"


def _module_content(version: ModuleVersion) -> dict:
    outcomes = sorted(version.outcomes.all(), key=lambda o: (o.position, o.pk))
    # Positions are renumbered 1..n: gaps left by deletions are not content.
    number = {outcome.pk: n for n, outcome in enumerate(outcomes, start=1)}
    tasks = []
    for t, task in enumerate(sorted(version.tasks.all(), key=lambda t: t.pk), 1):
        rubric = getattr(task, "rubric", None)
        criteria = []
        if rubric is not None:
            ordered = sorted(rubric.criteria.all(), key=lambda c: (c.position, c.pk))
            for c, criterion in enumerate(ordered, start=1):
                criteria.append(
                    {
                        "position": c,
                        "key": criterion.pk,
                        "name": criterion.name,
                        "outcomes": sorted(
                            number[o.pk]
                            for o in criterion.outcomes.all()
                            if o.pk in number
                        ),
                        "levels": [
                            {
                                "position": level.position,
                                "name": level.name,
                                "points": level.points,
                                "descriptor": level.descriptor,
                            }
                            for level in sorted(
                                criterion.levels.all(), key=lambda lv: lv.position
                            )
                        ],
                    }
                )
        tasks.append(
            {
                "position": t,
                "title": task.title,
                "instructions": task.instructions,
                "max_attempts": task.max_attempts,
                "retake_wait_days": task.retake_wait_days,
                "pass_min_total": rubric.pass_min_total if rubric else None,
                "pass_min_level": rubric.pass_min_level if rubric else None,
                "criteria": criteria,
            }
        )
    return {
        "type": "module",
        "code": version.module.code,
        "title": version.title,
        "summary": version.summary,
        "criteria_narrative": version.criteria_narrative,
        "credits": version.credits,
        "level": version.level,
        "notional_hours": version.notional_hours,
        "valid_for_days": version.valid_for_days,
        "delivery_mode": version.delivery_mode,
        "language": version.language,
        "prerequisites": sorted(m.code for m in version.prerequisites.all()),
        "badge_image": badge_image_digest(version),
        "outcomes": [
            {
                "position": number[outcome.pk],
                "key": outcome.pk,
                "statement": outcome.statement,
                "action_verb": outcome.action_verb,
                "proficiency_level": outcome.proficiency_level,
                "competencies": sorted(
                    (
                        {"uri": c.uri, "code": c.code, "statement": c.statement}
                        for c in outcome.competencies.all()
                    ),
                    key=lambda c: (c["uri"], c["code"], c["statement"]),
                ),
            }
            for outcome in outcomes
        ],
        "tasks": tasks,
    }


def module_contents(pks: Iterable[int]) -> dict[int, dict]:
    """The content of each module version, by pk, in a fixed number of queries."""
    return {v.pk: _module_content(v) for v in _module_versions(pks)}


def row_content(version: VersionedContent) -> dict:
    """The content of a version held on its own row: a pathway and its rule."""
    content = {
        "type": type(version)._meta.model_name.removesuffix("version"),
        "code": version.code,
        "title": version.title,
        "summary": version.summary,
        "rule": getattr(version, "rule", None),
    }
    # Only when there is one, so that versions published before pathways had
    # badges keep the digest they were published with.
    if version.badge_image:
        content["badge_image"] = badge_image_digest(version)
    return content


def version_content(version: VersionedContent) -> dict:
    if isinstance(version, ModuleVersion):
        return module_contents([version.pk])[version.pk]
    return row_content(version)


def for_digest(content: dict) -> dict:
    """Content without the database keys that only anchor review comments."""
    if content.get("type") != "module":
        return content

    def strip(item: dict) -> dict:
        return {k: v for k, v in item.items() if k != "key"}

    return {
        **content,
        "outcomes": [strip(o) for o in content["outcomes"]],
        "tasks": [
            {**task, "criteria": [strip(c) for c in task["criteria"]]}
            for task in content["tasks"]
        ],
    }
