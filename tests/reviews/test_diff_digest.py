"""Pure diff and digest over plain content, and the selector that gathers it."""

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services as assessments
from curriculum import content, services
from curriculum.diff import diff_content, grouped, summarise
from curriculum.digest import canonical, content_digest
from pathways import services as pathways
from tests import builders

MODULE = {
    "type": "module",
    "code": "M-1",
    "title": "Spreadsheets",
    "summary": "",
    "criteria_narrative": "",
    "credits": Decimal("5.0"),
    "level": "EQF 5",
    "outcomes": [
        {
            "position": 1,
            "statement": "Build a table",
            "competencies": [
                {"uri": "http://esco/1", "code": "", "statement": "tables"}
            ],
        },
        {"position": 2, "statement": "Write formulas", "competencies": []},
    ],
    "tasks": [
        {
            "position": 1,
            "title": "Ledger",
            "instructions": "",
            "max_attempts": 3,
            "retake_wait_days": 0,
            "pass_min_total": 4,
            "pass_min_level": 1,
            "criteria": [
                {
                    "position": 1,
                    "name": "Accuracy",
                    "outcomes": [1],
                    "levels": [
                        {
                            "position": 0,
                            "name": "Not yet",
                            "points": 0,
                            "descriptor": "",
                        },
                        {"position": 1, "name": "Done", "points": 2, "descriptor": ""},
                    ],
                }
            ],
        }
    ],
}


def changed(**edits):
    new = copy.deepcopy(MODULE)
    for path, value in edits.items():
        target = new
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return new


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ({}, []),
        ({"credits": Decimal("10")}, [("credits", "changed", "Credits")]),
        ({"title": "Sheets"}, [("details", "changed", "Title")]),
        (
            {"outcomes__1__statement": "Write correct formulas"},
            [("outcomes", "changed", "Outcome 2")],
        ),
        ({"outcomes__1": None}, [("outcomes", "removed", "Outcome 2")]),
        (
            {"outcomes__0__competencies": []},
            [("alignments", "removed", "Outcome 1 aligned to")],
        ),
        (
            {"tasks__0__criteria__0__name": "Precision"},
            [("criteria", "changed", "Task 1 criterion 1")],
        ),
        (
            {"tasks__0__criteria__0__levels__1__points": 3},
            [("levels", "changed", "Task 1 criterion 1 (Accuracy) level 2")],
        ),
        ({"tasks__0__pass_min_total": 2}, [("tasks", "changed", "Task 1")]),
    ],
)
def test_the_diff_names_what_was_added_removed_and_changed(edits, expected):
    changes = diff_content(MODULE, changed(**edits))
    assert [(c["section"], c["change"], c["item"]) for c in changes] == expected


def test_a_first_version_has_no_diff():
    assert diff_content(None, MODULE) == []


def test_an_added_outcome_is_listed_with_its_text():
    new = changed()
    new["outcomes"].append({"position": 3, "statement": "Chart it", "competencies": []})
    (change,) = diff_content(MODULE, new)
    assert change == {
        "section": "outcomes",
        "change": "added",
        "item": "Outcome 3",
        "before": None,
        "after": "Chart it",
    }
    assert summarise([change]) == {"outcomes": {"added": 1, "removed": 0, "changed": 0}}
    assert grouped([change])[0][0] == "Outcomes"


RULE = {
    "type": "all",
    "children": [
        {"type": "module", "code": "A"},
        {"type": "any", "n": 1, "children": [{"type": "module", "code": "B"}]},
    ],
}


@pytest.mark.parametrize(
    ("new_rule", "expected"),
    [
        (RULE, []),
        (
            {**RULE, "children": [*RULE["children"], {"type": "module", "code": "C"}]},
            [
                ("changed", "Rule: all"),
                ("added", "Rule: all › module C"),
            ],
        ),
        (
            {"type": "all", "children": [RULE["children"][1]]},
            [("changed", "Rule: all"), ("removed", "Rule: all › module A")],
        ),
        (
            {
                "type": "all",
                "children": [
                    RULE["children"][0],
                    {**RULE["children"][1], "within_years": 3},
                ],
            },
            [("changed", "Rule: all › any #1")],
        ),
    ],
)
def test_rules_are_diffed_node_by_node(new_rule, expected):
    changes = diff_content({"rule": RULE}, {"rule": new_rule})
    assert [(c["change"], c["item"]) for c in changes] == expected


def test_a_rule_change_reads_in_words_for_the_board():
    new_rule = {
        "type": "all",
        "children": [
            {"type": "module", "code": "A", "min_result": 6, "versions": [2, 3]},
            {**RULE["children"][1], "n": 1, "within_years": 3},
        ],
    }
    words = " ".join(
        str(c["before"]) + " " + str(c["after"])
        for c in diff_content({"rule": RULE}, {"rule": new_rule})
    )
    assert "any 1 of its 1 part, completed within the last 3 years" in words
    assert "module A, a result of at least 6, version 2 or 3" in words
    assert "within_years" not in words
    assert "min_result" not in words


def test_the_digest_is_canonical_and_changes_with_the_content():
    reordered = dict(reversed(list(MODULE.items())))
    assert content_digest(reordered) == content_digest(MODULE)
    assert content_digest(changed(credits=Decimal("5"))) == content_digest(MODULE)
    assert content_digest(changed(title="Other")) != content_digest(MODULE)
    assert content_digest(MODULE).startswith("sha256:")
    assert len(content_digest(MODULE)) == 71
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_publishing_records_the_digest_and_the_diff_from_the_last_version(cast):
    first = builders.make_module(cast, "M-1").version
    first.refresh_from_db()
    assert first.digest == content_digest(
        content.for_digest(content.version_content(first))
    )
    assert first.diff == {"from_version": None, "changes": []}
    second = services.create_module_version(
        cast.organization, by=cast["designer"], code="M-1", title="Module M-1"
    )
    services.add_outcome(second, by=cast["designer"], statement="Outcome 1 of M-1")
    services.add_outcome(second, by=cast["designer"], statement="Chart the result")
    second = services.publish_version(
        second, by=cast["admin"], changelog="New outcome; no task yet"
    )
    assert second.diff["from_version"] == 1
    items = {(c["change"], c["item"]) for c in second.diff["changes"]}
    assert ("changed", "Outcome 2") in items
    assert ("removed", "Task 1") in items
    assert ("removed", "Outcome 1 aligned to") in items
    assert second.digest != first.digest
    assert second.review_due_on.year == second.published_at.year + 1


def test_a_pathway_digest_and_diff_cover_its_rule(cast, pathway):
    first = pathway.version
    assert first.digest.startswith("sha256:")
    draft = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="PATH",
        title="Data pathway",
        rule=pathways.all_of(["A-101", "B-102"]),
    )
    second = pathways.publish_pathway_version(draft, by=cast["admin"], changelog="Two")
    assert [(c["change"], c["item"]) for c in second.diff["changes"]] == [
        ("changed", "Rule: all"),
        ("removed", "Rule: all › module “Module C-103” (C-103)"),  # by title
    ]
    assert second.digest != first.digest


def _grow(cast, version, n):
    for i in range(n):
        services.add_outcome(version, by=cast["designer"], statement=f"Extra {i}")
    assessments.create_task(
        version,
        by=cast["designer"],
        title="Extra task",
        criteria=[assessments.CriterionSpec(f"C{i}") for i in range(n)],
        levels=builders.LEVELS,
        pass_min_level=1,
    )


@pytest.mark.parametrize("extra", [1, 8])
def test_the_diff_of_two_versions_takes_a_fixed_number_of_queries(
    cast, extra, django_assert_num_queries
):
    old = builders.make_module(cast, "OLD", publish=False).version
    new = builders.make_module(cast, "NEW", publish=False).version
    _grow(cast, old, extra)
    _grow(cast, new, extra * 2)
    with django_assert_num_queries(9):
        contents = content.module_contents([old.pk, new.pk])
        changes = diff_content(contents[old.pk], contents[new.pk])
    assert len(contents[new.pk]["outcomes"]) == 2 + extra * 2
    assert sum(c["change"] == "added" for c in changes) >= extra


def test_a_next_review_date_in_the_past_is_refused(cast):
    version = builders.make_module(cast, "M-1", publish=False).version
    with pytest.raises(ValidationError, match="next review in the future"):
        services.publish_version(
            version,
            by=cast["admin"],
            changelog="First",
            review_due_on=timezone.localdate(),
        )
    version.refresh_from_db()
    assert version.status == "draft"
