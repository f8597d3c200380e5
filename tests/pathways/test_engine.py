"""The full rule tree: every node type, explanations, next steps, equivalences."""

from datetime import UTC, date, datetime, timedelta

import pytest

from pathways.rules import (
    Catalogue,
    CompletionFact,
    Equivalence,
    ModuleInfo,
    RuleError,
    compile_rule,
    describe,
    evaluate,
    validate_rule,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def m(code: str, **extra) -> dict:
    return {"type": "module", "code": code, **extra}


def fact(id_, code, *, days_ago=1, **extra) -> CompletionFact:
    return CompletionFact(id_, code, NOW - DAY * days_ago, **extra)


CATALOGUE = Catalogue(
    modules={
        "A": ModuleInfo("A", "Spreadsheets", 5),
        "B": ModuleInfo("B", "Pivot tables", 5),
        "C": ModuleInfo("C", "Charts", 10),
        "D": ModuleInfo("D", "Dashboards", 5),
        "E": ModuleInfo("E", "Macros", 15, prerequisite=m("A")),
        "F": ModuleInfo("F", "Forecasting", 5, tags=("elective",)),
        "G": ModuleInfo("G", "Statistics", 10, tags=("elective",)),
        "H": ModuleInfo("H", "Ethics", 2.5, tags=("elective",)),
    }
)
A_B_ANY_2 = {
    "type": "all",
    "children": [
        m("A"),
        m("B"),
        {"type": "any", "n": 2, "children": [m("C"), m("D"), m("E")]},
    ],
}


def test_the_summary_reads_like_a_sentence():
    assert describe(A_B_ANY_2) == (
        "Complete A and B, and any two of these three: C, D and E."
    )
    assert describe({"type": "credits", "min": 10, "tag": "elective"}) == (
        "Complete at least 10 credits from modules tagged “elective”."
    )
    assert describe(m("A", within_years=3)) == (
        "Complete A (completed within the last 3 years)."
    )


def test_missing_is_explained_in_words():
    result = evaluate(A_B_ANY_2, [fact(1, "A"), fact(2, "B"), fact(3, "C")], NOW)
    assert not result.satisfied
    [group] = [n for n in result.tree.walk() if n.type == "any"]
    assert group.reason == "not yet: needs 2 of C, D, E; you have 1"
    assert result.met == {"A": 1, "B": 2, "C": 3}
    assert result.progress == pytest.approx((1 + 1 + 0.5) / 3)


def test_next_steps_are_ranked_cheapest_first_with_alternatives():
    result = evaluate(A_B_ANY_2, [fact(1, "A"), fact(2, "B")], NOW, CATALOGUE)
    # C costs 10 credits, D 5, E 15: the two cheapest are D then C, E the other way.
    assert [s.code for s in result.next_steps] == ["D", "C"]
    assert result.next_steps[0].alternatives == ("E",)
    assert result.missing == ("D", "C")


def test_a_locked_module_comes_after_its_prerequisite():
    rule = {"type": "all", "children": [m("E")]}
    result = evaluate(rule, [], NOW, CATALOGUE)
    assert [(s.code, s.unlocks) for s in result.next_steps] == [("A", "E"), ("E", "")]
    assert result.next_steps[1].locked
    [leaf] = [n for n in result.tree.walk() if n.code == "E"]
    assert leaf.locked
    unlocked = evaluate(rule, [fact(1, "A")], NOW, CATALOGUE)
    assert [s.code for s in unlocked.next_steps] == ["E"]
    assert not unlocked.next_steps[0].locked


def test_one_completion_counts_once_across_groups():
    rule = {
        "type": "all",
        "children": [
            {"type": "any", "n": 1, "children": [m("A"), m("B")]},
            {"type": "any", "n": 1, "children": [m("A"), m("C")]},
        ],
    }
    assert not evaluate(rule, [fact(1, "A")], NOW).satisfied
    both = evaluate(rule, [fact(1, "A"), fact(2, "C")], NOW)
    assert both.satisfied  # A went to the first group, C to the second
    assert sorted(both.used) == [1, 2]
    assert evaluate({**rule, "reuse": True}, [fact(1, "A")], NOW).satisfied


def test_credits_from_children_and_from_a_tag():
    rule = {"type": "credits", "min": 15, "children": [m("A"), m("C"), m("D")]}
    short = evaluate(rule, [fact(1, "A")], NOW, CATALOGUE)
    assert not short.satisfied
    assert short.tree.reason == "not yet: needs 15 credits; you have 5"
    assert evaluate(rule, [fact(1, "A"), fact(2, "C")], NOW, CATALOGUE).satisfied
    tagged = {"type": "credits", "min": 12, "tag": "elective"}
    partial = evaluate(tagged, [fact(1, "F")], NOW, CATALOGUE)
    assert partial.progress == pytest.approx(5 / 12)
    assert [s.code for s in partial.next_steps] == ["H", "G"]  # cheapest first
    assert evaluate(tagged, [fact(1, "F"), fact(2, "G")], NOW, CATALOGUE).satisfied


def test_credits_do_not_double_count_a_completion():
    rule = {
        "type": "all",
        "children": [
            {"type": "credits", "min": 10, "children": [m("C"), m("A")]},
            {"type": "credits", "min": 10, "children": [m("C"), m("D")]},
        ],
    }
    result = evaluate(rule, [fact(1, "C")], NOW, CATALOGUE)
    assert not result.satisfied
    assert result.progress == pytest.approx(0.5)


def test_recency_pins_and_minimum_results_say_why():
    old = evaluate(m("A", within_years=2), [fact(1, "A", days_ago=800)], NOW)
    assert not old.satisfied
    assert "more than 2 years ago" in old.tree.reason
    assert evaluate(m("A", within_years=3), [fact(1, "A", days_ago=800)], NOW).satisfied
    pinned = evaluate(m("A", versions=[2]), [fact(1, "A", version=1)], NOW)
    assert pinned.tree.reason == "version 1 does not count; needs version 2"
    assert evaluate(m("A", versions=[2]), [fact(1, "A", version=2)], NOW).satisfied
    low = evaluate(m("A", min_result=6), [fact(1, "A", result=4)], NOW)
    assert low.tree.reason == "result 4 is below the minimum 6"
    assert evaluate(m("A", min_result=6), [fact(1, "A", result=6)], NOW).satisfied


def test_within_years_on_a_group_applies_to_its_children():
    rule = {"type": "all", "within_years": 1, "children": [m("A"), m("B")]}
    facts = [fact(1, "A", days_ago=400), fact(2, "B")]
    assert not evaluate(rule, facts, NOW).satisfied
    assert evaluate(rule, facts, NOW - DAY * 100).satisfied is False  # B is later
    assert evaluate(rule, facts, NOW + DAY * 0).progress == pytest.approx(0.5)


def test_an_equivalence_counts_another_issuers_module_as_ours():
    catalogue = Catalogue(
        home="northfield",
        modules=CATALOGUE.modules,
        equivalences=(
            Equivalence(7, "open-u", "OU-SHEETS", "A", "Ada", date(2026, 1, 5)),
        ),
    )
    facts = [
        CompletionFact(1, "OU-SHEETS", NOW - DAY, issuer="open-u"),
        CompletionFact(2, "B", NOW - DAY, issuer="northfield"),
    ]
    result = evaluate(
        {"type": "all", "children": [m("A"), m("B")]}, facts, NOW, catalogue
    )
    assert result.satisfied
    [leaf] = [n for n in result.tree.walk() if n.code == "A"]
    assert leaf.via == (
        "OU-SHEETS of open-u counts as A (approved by Ada on 05 Jan 2026)",
    )
    assert result.trace()["tree"]["children"][0]["via"] == list(leaf.via)
    # Without the equivalence the outside module does not count.
    plain = Catalogue(home="northfield", modules=CATALOGUE.modules)
    rule = {"type": "all", "children": [m("A"), m("B")]}
    assert not evaluate(rule, facts, NOW, plain).satisfied


def test_an_external_node_needs_an_accepted_credential():
    rule = {"type": "external", "issuer": "aws", "achievement": "CLOUD-PRAC"}
    facts = [
        CompletionFact(1, "CLOUD-PRAC", NOW - DAY, issuer="aws", source="external")
    ]
    refused = evaluate(rule, facts, NOW)
    assert not refused.satisfied
    assert "no approved equivalence" in refused.tree.reason
    accepted = Catalogue(equivalences=(Equivalence(3, "aws", "CLOUD-PRAC"),))
    result = evaluate(rule, facts, NOW, accepted)
    assert result.satisfied
    assert result.tree.met_by == (1,)


def test_nested_pathways_stack_and_report_progress():
    catalogue = Catalogue(
        modules=CATALOGUE.modules,
        pathways={"BASICS": {"type": "all", "children": [m("A"), m("B")]}},
        pathway_titles={"BASICS": "Spreadsheet basics"},
    )
    rule = {"type": "all", "children": [{"type": "pathway", "code": "BASICS"}, m("C")]}
    half = evaluate(rule, [fact(1, "A")], NOW, catalogue)
    assert not half.satisfied
    assert half.progress == pytest.approx(0.25)
    assert [s.code for s in half.next_steps] == ["B", "C"]
    assert "50% of the pathway Spreadsheet basics" in half.tree.children[0].reason
    done = evaluate(rule, [fact(1, "A"), fact(2, "B"), fact(3, "C")], NOW, catalogue)
    assert done.satisfied
    # A recorded pathway completion satisfies the node on its own.
    recorded = CompletionFact(9, "BASICS", NOW - DAY, kind="pathway")
    assert evaluate(rule, [recorded, fact(3, "C")], NOW, catalogue).satisfied


def test_cycles_are_refused():
    catalogue = Catalogue(
        pathways={
            "X": {"type": "pathway", "code": "Y"},
            "Y": {"type": "all", "children": [{"type": "pathway", "code": "X"}]},
        }
    )
    with pytest.raises(RuleError, match="cannot include each other: X → Y → X"):
        validate_rule({"type": "pathway", "code": "Y"}, catalogue, pathway_code="X")
    with pytest.raises(RuleError, match="cannot include each other"):
        compile_rule({"type": "pathway", "code": "X"}, catalogue)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"type": "credits", "min": 40, "children": [m("A"), m("C")]}, "offer only 15"),
        ({"type": "credits", "min": 40, "tag": "elective"}, "offer only 17.5"),
        (m("Z"), "No such module: Z"),
        (m("A", versions=["x"]), "must be numbers"),
        (m("A", within_years=-1), "within_years must be at least"),
        ({"type": "external", "issuer": "aws"}, "needs an issuer and an achievement"),
        ({"type": "credits", "min": 5}, "needs children or a tag"),
    ],
)
def test_unsatisfiable_rules_are_refused_in_words(rule, message):
    with pytest.raises(RuleError, match=message):
        validate_rule(rule, CATALOGUE)


def test_the_trace_names_which_completion_met_which_node():
    result = evaluate(
        A_B_ANY_2, [fact(4, "A"), fact(5, "B"), fact(6, "C"), fact(7, "D")], NOW
    )
    trace = result.trace()
    assert trace["met"] == {"A": 4, "B": 5, "C": 6, "D": 7}
    assert trace["tree"]["children"][0] == {
        "path": "0.0", "type": "module", "label": "A", "satisfied": True,
        "progress": 1.0, "met_by": [4],
    }  # fmt: skip
    assert trace["used"] == [4, 5, 6, 7]


def test_explain_false_gives_the_same_verdict():
    compiled = compile_rule(A_B_ANY_2, CATALOGUE)
    facts = [fact(1, "A"), fact(2, "C")]
    quick, full = (
        compiled.evaluate(facts, NOW, explain=False),
        compiled.evaluate(facts, NOW),
    )
    assert (quick.satisfied, quick.progress) == (full.satisfied, full.progress)
