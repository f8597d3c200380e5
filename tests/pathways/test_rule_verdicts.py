"""Verdicts of the stacking rules that were wrong once (issue 15), each with the
case that showed it."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pathways.rules import (
    Catalogue,
    CompletionFact,
    Equivalence,
    ModuleInfo,
    RuleError,
    evaluate,
    validate_rule,
)

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def m(code: str, **extra) -> dict:
    return {"type": "module", "code": code, **extra}


def fact(id_, code, *, at=None, **extra) -> CompletionFact:
    return CompletionFact(id_, code, at or NOW - DAY, **extra)


def catalogue(credits: dict, **extra) -> Catalogue:
    return Catalogue(
        modules={
            code: ModuleInfo(code, code, value, tags=extra.pop(f"tags_{code}", ()))
            for code, value in credits.items()
        },
        **extra,
    )


# ------------------------------------------------------ nested pathway credits


NESTED = Catalogue(
    home="northfield",
    modules={"A": ModuleInfo("A", "A", 5), "B": ModuleInfo("B", "B", 10)},
    pathways={"P": {"type": "all", "children": [m("A")]}},
)
CREDITS_FROM_P = {
    "type": "credits",
    "min": 1,
    "children": [{"type": "pathway", "code": "P"}],
}


def test_a_nested_pathway_worked_out_from_modules_earns_its_credits():
    validate_rule(CREDITS_FROM_P, NESTED)  # accepted, as before
    result = evaluate(CREDITS_FROM_P, [fact(1, "A")], NOW, NESTED)
    assert result.satisfied
    assert result.tree.credits == Decimal(5)
    assert result.next_steps == ()


def test_a_recorded_nested_pathway_earns_its_credits():
    recorded = CompletionFact(7, "P", NOW - DAY, kind="pathway")
    result = evaluate(CREDITS_FROM_P, [recorded], NOW, NESTED)
    assert result.satisfied
    assert result.tree.credits == Decimal(5)


def test_validation_counts_a_nested_pathway_at_its_credit_value():
    # P is worth the fewest credits on the way to it: 5, not the 15 of A and B.
    worth = Catalogue(
        modules=NESTED.modules,
        pathways={"P": {"type": "any", "n": 1, "children": [m("A"), m("B")]}},
    )
    rule = {"type": "credits", "min": 6, "children": [{"type": "pathway", "code": "P"}]}
    with pytest.raises(RuleError, match="can never be met: its children offer only 5"):
        validate_rule(rule, worth)


# --------------------------------------------------------------- exact search


def test_any_of_two_overlapping_groups_finds_the_one_that_holds():
    rule = {
        "type": "any",
        "n": 1,
        "children": [
            {"type": "all", "children": [m("A"), m("B"), m("C")]},
            {"type": "all", "children": [m("A"), m("B")]},
        ],
    }
    result = evaluate(rule, [fact(1, "A"), fact(2, "B")], NOW)
    assert result.satisfied


ELECTIVES = [f"E{i}" for i in range(1, 12)]
ELEVEN_ELECTIVES = {
    "type": "all",
    "children": [
        {
            "type": "any",
            "n": 1,
            "children": [
                {"type": "all", "children": [m("A"), m("B"), m("C")]},
                {"type": "all", "children": [m("A"), m("B")]},
            ],
        },
        {"type": "any", "n": 6, "children": [m(c) for c in ELECTIVES]},
        {"type": "any", "n": 5, "children": [m(c) for c in ELECTIVES]},
    ],
}


def test_eleven_electives_each_named_in_two_groups_are_shared_exactly():
    """13 contested completions: the old search gave up and guessed."""
    done = [fact(1, "A"), fact(2, "B")] + [
        fact(10 + i, code) for i, code in enumerate(ELECTIVES)
    ]
    result = evaluate(ELEVEN_ELECTIVES, done, NOW)
    assert result.satisfied
    one_short = evaluate(ELEVEN_ELECTIVES, done[:-1], NOW)
    assert not one_short.satisfied
    # Ten electives: five and five, not six and four.
    assert one_short.progress == pytest.approx((1 + 5 / 6 + 1) / 3)


def test_an_explanation_never_says_you_have_0_beside_work_on_file():
    rule = {
        "type": "any",
        "n": 1,
        "children": [
            {"type": "all", "children": [m("A"), m("B"), m("C")]},
            {"type": "all", "children": [m("A"), m("B"), m("D")]},
        ],
    }
    result = evaluate(rule, [fact(1, "A"), fact(2, "B")], NOW)
    assert not result.satisfied
    assert "you have 0" not in " ".join(result.reasons)
    assert "counting toward it so far: all of A, B and C" in result.tree.reason
    # The sharing that gets furthest gives A and B to all of A and B; the
    # other group says where they went instead of "you have 0".
    overlapping = {
        "type": "all",
        "children": [
            {"type": "all", "children": [m("A"), m("B"), m("C")]},
            {"type": "all", "children": [m("A"), m("B")]},
        ],
    }
    result = evaluate(overlapping, [fact(1, "A"), fact(2, "B")], NOW)
    [first] = [n for n in result.tree.children if not n.satisfied]
    assert "on file but not counted here" in first.reason
    assert "A already counts toward another group" in first.children[0].reason
    credits = {"type": "credits", "min": 5, "children": [m("A"), m("B")]}
    taken = {"type": "all", "children": [m("A"), credits]}
    result = evaluate(taken, [fact(1, "A")], NOW, catalogue({"A": 5, "B": 5}))
    assert "you have 0" not in " ".join(result.reasons)


# ---------------------------------------------------------------- exact credits


def test_decimal_credits_add_up_exactly():
    cat = catalogue({"A": Decimal("0.3"), "B": Decimal("0.6")})
    rule = {"type": "credits", "min": 0.9, "children": [m("A"), m("B")]}
    result = evaluate(rule, [fact(1, "A"), fact(2, "B")], NOW, cat)
    assert result.satisfied
    assert result.tree.credits == Decimal("0.9")


def test_decimal_credits_from_a_tag_and_from_floats_add_up_exactly():
    cat = catalogue({"A": 0.3, "B": 0.6}, tags_A=("elective",), tags_B=("elective",))
    rule = {"type": "credits", "min": 0.9, "tag": "elective"}
    facts = [fact(1, "A", credits=0.3), fact(2, "B", credits=0.6)]
    assert evaluate(rule, facts, NOW, cat).satisfied


def test_an_outside_completion_mapped_to_two_tagged_modules_counts_once():
    cat = Catalogue(
        home="northfield",
        modules={
            "X": ModuleInfo("X", "X", 5, tags=("elective",)),
            "Y": ModuleInfo("Y", "Y", 5, tags=("elective",)),
        },
        equivalences=(
            Equivalence(1, "open-u", "OU-1", "X"),
            Equivalence(2, "open-u", "OU-1", "Y"),
        ),
    )
    rule = {"type": "credits", "min": 10, "tag": "elective"}
    outside = fact(1, "OU-1", issuer="open-u")
    result = evaluate(rule, [outside], NOW, cat)
    assert not result.satisfied
    assert result.tree.credits == Decimal(5)
    # With X done here too, the outside completion stands for Y: 10.
    assert evaluate(rule, [outside, fact(2, "X")], NOW, cat).satisfied


# ------------------------------------------------------------------- recency

AUCKLAND = ZoneInfo("Pacific/Auckland")  # UTC+12 on these dates


def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AUCKLAND)


@pytest.mark.parametrize(
    ("completed", "counts"),
    [
        (local(2023, 6, 1, 0, 30), True),  # three years ago to the day, there
        (local(2023, 5, 31, 23, 30), False),  # the day before
        (local(2026, 6, 1, 0, 5), True),  # today
    ],
)
@pytest.mark.parametrize("hour", [0, 9, 23])
def test_recency_counts_calendar_dates_in_the_organizations_time_zone(
    completed, counts, hour
):
    cat = Catalogue(time_zone=AUCKLAND)
    on = local(2026, 6, 1, hour, 59)
    result = evaluate(m("A", within_years=3), [fact(1, "A", at=completed)], on, cat)
    assert result.satisfied is counts


def test_recency_moves_a_month_end_to_the_shorter_month():
    # Six months before 31 August is 28 February (2026 is not a leap year).
    on = datetime(2026, 8, 31, 12, tzinfo=UTC)
    rule = m("A", within_years=0.5)
    inside = fact(1, "A", at=datetime(2026, 2, 28, 1, tzinfo=UTC))
    outside = fact(1, "A", at=datetime(2026, 2, 27, 23, tzinfo=UTC))
    assert evaluate(rule, [inside], on).satisfied
    assert not evaluate(rule, [outside], on).satisfied


def test_recency_is_whole_years_or_months():
    with pytest.raises(RuleError, match="whole years or whole months"):
        validate_rule(m("A", within_years=0.1))
    validate_rule(m("A", within_years=0.25))


# ----------------------------------------------------- a pathway named twice

TWICE = {
    "type": "all",
    "children": [{"type": "pathway", "code": "P"}, {"type": "pathway", "code": "P"}],
}


def test_a_nested_pathway_named_twice_counts_once_however_it_is_known():
    from_modules = evaluate(TWICE, [fact(1, "A")], NOW, NESTED)
    recorded = evaluate(
        TWICE, [CompletionFact(7, "P", NOW - DAY, kind="pathway")], NOW, NESTED
    )
    both = evaluate(
        TWICE,
        [fact(1, "A"), CompletionFact(7, "P", NOW - DAY, kind="pathway")],
        NOW,
        NESTED,
    )
    assert not from_modules.satisfied
    assert not recorded.satisfied
    assert not both.satisfied
    assert from_modules.progress == recorded.progress == both.progress == 0.5
    [second] = [n for n in from_modules.tree.children if not n.satisfied]
    assert "a pathway counts once" in second.reason


# ------------------------------------------- version pins and minimum results

PINNED_CATALOGUE = Catalogue(
    home="northfield",
    modules={"A": ModuleInfo("A", "A", 5, versions=(1, 2))},
    equivalences=(Equivalence(1, "open-u", "OU-A", "A"),),
)


def test_a_version_pin_is_not_met_through_an_equivalence():
    outside = fact(1, "OU-A", issuer="open-u")
    pinned = evaluate(m("A", versions=[2]), [outside], NOW, PINNED_CATALOGUE)
    assert not pinned.satisfied
    assert "does not meet a pinned version" in pinned.tree.reason
    assert evaluate(m("A"), [outside], NOW, PINNED_CATALOGUE).satisfied
    own = fact(2, "A", version=2)
    assert evaluate(m("A", versions=[2]), [own], NOW, PINNED_CATALOGUE).satisfied


def test_a_pin_on_a_version_never_published_is_refused():
    with pytest.raises(RuleError, match="A has no published version 3"):
        validate_rule(m("A", versions=[3]), PINNED_CATALOGUE)
    validate_rule(m("A", versions=[2]), PINNED_CATALOGUE)


def test_a_minimum_result_of_0_is_no_minimum():
    recognised = fact(1, "A", result=None, source="recognition")
    assert evaluate(m("A", min_result=0), [recognised], NOW).satisfied


def test_a_minimum_result_needs_a_result_on_file():
    recognised = fact(1, "A", result=None, source="recognition")
    result = evaluate(m("A", min_result=6), [recognised], NOW)
    assert not result.satisfied
    assert result.tree.reason.startswith("no result on file")
