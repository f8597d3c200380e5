from datetime import UTC, datetime, timedelta

import pytest

from pathways.rules import (
    CompletionFact,
    RuleError,
    evaluate,
    module_codes,
    validate_rule,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def m(code: str) -> dict:
    return {"type": "module", "code": code}


def done(*codes: str, at: datetime = NOW - timedelta(days=1)) -> list[CompletionFact]:
    return [CompletionFact(i, code, at) for i, code in enumerate(codes, 1)]


ALL_ABC = {"type": "all", "children": [m("A"), m("B"), m("C")]}
ANY_2 = {"type": "any", "n": 2, "children": [m("A"), m("B"), m("C")]}
NESTED = {
    "type": "all",
    "children": [m("A"), {"type": "any", "n": 1, "children": [m("B"), m("C")]}],
}


@pytest.mark.parametrize(
    ("rule", "completed", "satisfied", "done_", "required"),
    [
        (ALL_ABC, [], False, 0, 3),
        (ALL_ABC, ["A"], False, 1, 3),
        (ALL_ABC, ["A", "C"], False, 2, 3),
        (ALL_ABC, ["A", "B", "C"], True, 3, 3),
        (ALL_ABC, ["A", "B", "C", "Z"], True, 3, 3),
        ({"type": "all", "children": []}, [], True, 0, 0),
        (ANY_2, ["C"], False, 1, 2),
        (ANY_2, ["C", "A"], True, 2, 2),
        ({"type": "any", "n": 1, "children": [m("A")]}, ["A"], True, 1, 1),
        (NESTED, ["A", "C"], True, 2, 2),
        (NESTED, ["B", "C"], False, 1, 2),
    ],
)  # fmt: skip
def test_evaluation(rule, completed, satisfied, done_, required):
    result = evaluate(rule, done(*completed), NOW)
    assert result.satisfied is satisfied
    assert (result.done, result.required) == (done_, required)
    assert not result.missing if satisfied else result.missing


def test_missing_names_the_modules_still_needed():
    result = evaluate(ALL_ABC, done("B"), NOW)
    assert result.missing == ("A", "C")
    assert result.met == {"B": 1}
    assert result.progress == pytest.approx(1 / 3)


def test_a_completion_after_the_evaluation_date_does_not_count():
    assert not evaluate(
        ALL_ABC, done("A", "B", "C", at=NOW + timedelta(days=1)), NOW
    ).satisfied


def test_the_order_of_completions_does_not_matter():
    facts = done("A", "B", "C")
    assert evaluate(ALL_ABC, facts, NOW) == evaluate(
        ALL_ABC, list(reversed(facts)), NOW
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "nope"}, "Unknown rule node"),
        ({"type": "module"}, "needs a module code"),
        ({"type": "all"}, "needs a list of children"),
        ({"type": "any", "n": 3, "children": [m("A")]}, "can never be met"),
        ({"type": "any", "n": 0, "children": [m("A")]}, "at least 1"),
    ],
)
def test_invalid_rules_are_explained(rule, message):
    with pytest.raises(RuleError, match=message):
        validate_rule(rule)


def test_module_codes_in_order():
    assert module_codes(ALL_ABC) == ["A", "B", "C"]
