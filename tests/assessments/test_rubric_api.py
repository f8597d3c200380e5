"""Task editing and the rubric builder through the API: each change the
builder's page makes, by a designer's token, through the same services; bad
input is a 400 that changes nothing, and no one else's token gets in."""

import json

import pytest

from accounts.models import AuditEntry
from assessments.models import AssessmentTask, Criterion, Level, Rubric
from curriculum import services as curriculum
from integrations.tokens import services as tokens
from tests import builders
from tests.integrations.conftest import bearer, personal_token, service_token


@pytest.fixture
def task(cast):
    return builders.make_module(cast, "RB-1", publish=False)


@pytest.fixture
def api(cast):
    return bearer(personal_token(cast["designer"], "read", "admin", name="builder"))


def _url(task, rest: str = "") -> str:
    return f"/api/tasks/{task.pk}/rubric/{rest}"


def grid(task) -> list:
    """The whole rubric, to tell that nothing changed."""
    rubric = Rubric.objects.get(task=task)
    return [
        (rubric.kind, rubric.pass_min_total, rubric.pass_min_level),
        list(
            Criterion.objects.filter(rubric=rubric)
            .order_by("pk")
            .values_list("pk", "position", "name", "min_level")
        ),
        list(
            Level.objects.filter(criterion__rubric=rubric)
            .order_by("pk")
            .values_list("pk", "position", "name", "points", "descriptor")
        ),
    ]


def _names(answer) -> list[str]:
    return [c["name"] for c in answer.json()["criteria"]]


def test_patch_changes_a_draft_task_and_names_the_token(api, task):
    answer = api.patch(
        f"/api/tasks/{task.pk}/",
        {"title": "Budget", "max_attempts": 2, "file_types": ["application/pdf"]},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["title"] == "Budget"
    task.refresh_from_db()
    assert (task.title, task.max_attempts, task.file_types) == (
        "Budget",
        2,
        ["application/pdf"],
    )
    entry = AuditEntry.objects.get(action="task.updated")
    assert entry.data["via"].startswith("token builder (")


def test_patch_with_bad_fields_is_a_400_and_changes_nothing(api, task):
    before = AssessmentTask.objects.filter(pk=task.pk).values().get()
    for body in (
        {"title": ""},
        {"max_attempts": 0},
        {"file_types": ["text/x-shellscript"]},
        {"accepts_text": False, "accepts_links": False, "accepts_files": False},
    ):
        answer = api.patch(f"/api/tasks/{task.pk}/", body, format="json")
        assert answer.status_code == 400, body
    assert AssessmentTask.objects.filter(pk=task.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="task.updated").exists()


def test_policy_sets_the_kind_and_pass_rules(api, task):
    answer = api.put(
        _url(task, "policy/"),
        {"kind": "analytic", "pass_min_total": 3, "pass_min_level": None},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["pass_min_level"] is None
    rubric = Rubric.objects.get(task=task)
    assert (rubric.kind, rubric.pass_min_total, rubric.pass_min_level) == (
        "analytic",
        3,
        None,
    )
    before = grid(task)
    # No way to pass at all, and a level past the scale: both refused.
    for body in (
        {"kind": "analytic", "pass_min_total": None, "pass_min_level": None},
        {"kind": "analytic", "pass_min_total": None, "pass_min_level": 9},
        {"kind": "ranking", "pass_min_total": 1, "pass_min_level": None},
        # A holistic rubric has one criterion; this one has two.
        {"kind": "holistic", "pass_min_total": 1, "pass_min_level": None},
    ):
        assert api.put(_url(task, "policy/"), body, format="json").status_code == 400
    assert grid(task) == before


def test_criteria_are_added_changed_moved_and_removed(api, task):
    outcome = task.version.outcomes.order_by("position").first()
    added = api.post(
        _url(task, "criteria/"),
        {"name": "Layout", "outcomes": [outcome.pk]},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert _names(added) == ["Accuracy", "Communication", "Layout"]
    new = added.json()["criteria"][-1]
    assert len(new["levels"]) == 4
    assert new["outcomes"] == [outcome.pk]

    changed = api.put(
        _url(task, f"criteria/{new['id']}/"),
        {"name": "Page layout", "outcomes": [], "min_level": 1},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    row = changed.json()["criteria"][-1]
    assert (row["name"], row["outcomes"], row["min_level"]) == ("Page layout", [], 1)

    moved = api.post(
        _url(task, f"criteria/{new['id']}/move/"), {"offset": -1}, format="json"
    )
    assert moved.status_code == 200
    assert _names(moved) == ["Accuracy", "Page layout", "Communication"]

    removed = api.delete(_url(task, f"criteria/{new['id']}/"))
    assert removed.status_code == 200
    assert _names(removed) == ["Accuracy", "Communication"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "rubric.criterion_added",
        "rubric.criterion_changed",
        "rubric.criterion_moved",
        "rubric.criterion_removed",
    } <= actions


def test_bad_criterion_changes_are_400s_that_change_nothing(api, task, cast):
    other = builders.make_module(cast, "RB-2", publish=False)
    foreign = other.version.outcomes.first()
    first = Criterion.objects.filter(rubric__task=task).order_by("position").first()
    before = grid(task)
    bad = [
        ("post", _url(task, "criteria/"), {"name": ""}),
        ("post", _url(task, "criteria/"), {"name": "X", "outcomes": [foreign.pk]}),
        ("put", _url(task, f"criteria/{first.pk}/"), {"name": "X", "min_level": 9}),
        ("post", _url(task, f"criteria/{first.pk}/move/"), {"offset": -1}),
        ("post", _url(task, f"criteria/{first.pk}/move/"), {"offset": 5}),
    ]
    for method, url, body in bad:
        answer = getattr(api, method)(url, body, format="json")
        assert answer.status_code == 400, (url, body, answer.content)
    # A criterion of another task is not found through this task.
    theirs = Criterion.objects.filter(rubric__task=other).first()
    assert api.delete(_url(task, f"criteria/{theirs.pk}/")).status_code == 404
    assert grid(task) == before


def test_levels_are_added_renamed_moved_and_removed(api, task):
    added = api.post(
        _url(task, "levels/"), {"name": "Outstanding", "points": 5}, format="json"
    )
    assert added.status_code == 201, added.json()
    levels = added.json()["criteria"][0]["levels"]
    assert [lv["name"] for lv in levels][-1] == "Outstanding"

    renamed = api.put(_url(task, "levels/0/"), {"name": "Not yet shown"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["criteria"][1]["levels"][0]["name"] == "Not yet shown"

    # Points must rise from left to right: swapping two columns of different
    # points is refused and changes nothing.
    before = grid(task)
    assert (
        api.post(_url(task, "levels/3/move/"), {"offset": 1}, format="json").status_code
        == 400
    )
    assert grid(task) == before

    removed = api.delete(_url(task, "levels/4/"))
    assert removed.status_code == 200, removed.json()
    assert len(removed.json()["criteria"][0]["levels"]) == 4
    assert api.delete(_url(task, "levels/9/")).status_code == 400


def test_a_cell_gets_points_and_a_descriptor(api, task):
    level = Level.objects.filter(criterion__rubric__task=task, position=1).first()
    answer = api.put(
        _url(task, f"cells/{level.pk}/"),
        {"points": 1, "descriptor": "Some figures are right."},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    level.refresh_from_db()
    assert level.descriptor == "Some figures are right."
    before = grid(task)
    assert (
        api.put(
            _url(task, f"cells/{level.pk}/"), {"points": -1}, format="json"
        ).status_code
        == 400
    )
    # Points may not fall from one level to the next.
    assert (
        api.put(_url(task, f"cells/{level.pk}/"), {"points": 3}, format="json")
    ).status_code == 400
    assert grid(task) == before


def test_a_rubric_is_copied_from_a_task_of_the_same_organization(api, task, cast):
    source = builders.make_module(cast, "RB-3", publish=False)
    Criterion.objects.filter(rubric__task=source, position=0).update(name="Precision")
    answer = api.post(_url(task, "copy/"), {"source": source.pk}, format="json")
    assert answer.status_code == 200, answer.json()
    assert _names(answer) == ["Precision", "Communication"]
    entry = AuditEntry.objects.get(action="rubric.copied")
    assert entry.data["via"].startswith("token builder (")
    before = grid(task)
    assert (
        api.post(_url(task, "copy/"), {"source": task.pk}, format="json").status_code
        == 400
    )
    assert grid(task) == before


def test_a_published_task_is_not_changed(api, cast):
    published = builders.make_module(cast, "RB-4", publish=True)
    before = grid(published)
    answers = [
        api.patch(f"/api/tasks/{published.pk}/", {"title": "X"}, format="json"),
        api.post(_url(published, "criteria/"), {"name": "X"}, format="json"),
        api.post(_url(published, "levels/"), {"name": "X", "points": 9}, format="json"),
    ]
    assert all(a.status_code in (400, 403) for a in answers), answers
    assert grid(published) == before


def _every_change(task) -> list[tuple[str, str, dict]]:
    criterion = Criterion.objects.filter(rubric__task=task).first()
    cell = criterion.levels.first()
    return [
        ("PATCH", f"/api/tasks/{task.pk}/", {"title": "X"}),
        ("PUT", _url(task, "policy/"), {"kind": "analytic", "pass_min_total": 1}),
        ("POST", _url(task, "criteria/"), {"name": "X"}),
        ("PUT", _url(task, f"criteria/{criterion.pk}/"), {"name": "X"}),
        ("DELETE", _url(task, f"criteria/{criterion.pk}/"), {}),
        ("POST", _url(task, f"criteria/{criterion.pk}/move/"), {"offset": 1}),
        ("POST", _url(task, "levels/"), {"name": "X", "points": 9}),
        ("PUT", _url(task, "levels/0/"), {"name": "X"}),
        ("DELETE", _url(task, "levels/0/"), {}),
        ("POST", _url(task, "levels/0/move/"), {"offset": 1}),
        ("PUT", _url(task, f"cells/{cell.pk}/"), {"points": 0, "descriptor": "X"}),
        ("POST", _url(task, "copy/"), {"source": task.pk}),
    ]


def _callers(cast, kind):
    if kind == "other-organization":
        account = tokens.create_service_account(
            cast.other_organization,
            by=cast["outside_faculty"],
            name="Theirs",
            roles=list(tokens.SERVICE_ROLES),
        )
        curriculum.add_member(cast.other_organization, cast["stranger"], role="admin")
        return [
            bearer(service_token(account, cast["outside_faculty"])),
            bearer(personal_token(cast["stranger"], name="their admin")),
        ]
    if kind == "under-scoped":
        return [bearer(personal_token(cast["designer"], "read", "grade", "issue"))]
    return [bearer(personal_token(cast[role])) for role in ("reviewer", "learner")]


@pytest.mark.parametrize("kind", ["other-organization", "under-scoped", "staff"])
def test_no_other_token_changes_the_rubric(cast, task, kind):
    callers = _callers(cast, kind)
    before = (grid(task), AuditEntry.objects.count())
    failures = []
    for api in callers:
        for method, url, body in _every_change(task):
            answer = api.generic(
                method, url, json.dumps(body), content_type="application/json"
            )
            if answer.status_code not in (403, 404):
                failures.append((method, url, answer.status_code))
    assert not failures
    assert (grid(task), AuditEntry.objects.count()) == before
