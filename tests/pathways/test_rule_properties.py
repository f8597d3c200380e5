"""Invariants of the rule engine, checked with hypothesis over random trees."""

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.rules import Catalogue, CompletionFact, ModuleInfo, evaluate

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CODES = ["A", "B", "C", "D", "E", "F"]
CATALOGUE = Catalogue(
    modules={
        c: ModuleInfo(c, c, credits, tags=("t",) if c in "BDF" else ())
        for c, credits in zip(CODES, [5, 10, 5, 2.5, 15, 5], strict=True)
    }
)

leaves = st.builds(
    lambda code, years: (
        {"type": "module", "code": code} | ({"within_years": years} if years else {})
    ),
    st.sampled_from(CODES),
    st.sampled_from([None, None, None, 1, 3]),
)


def _groups(children):
    return st.one_of(
        st.builds(
            lambda c: {"type": "all", "children": c}, st.lists(children, max_size=3)
        ),
        st.lists(children, min_size=1, max_size=3).flatmap(
            lambda c: st.builds(
                lambda n: {"type": "any", "n": n, "children": c},
                st.integers(1, len(c)),
            )
        ),
        st.builds(
            lambda c, minimum: {"type": "credits", "min": minimum, "children": c},
            st.lists(children, min_size=1, max_size=3),
            st.sampled_from([2.5, 5, 10]),
        ),
        st.builds(
            lambda minimum: {"type": "credits", "min": minimum, "tag": "t"},
            st.sampled_from([5, 10]),
        ),
    )


rules = st.recursive(leaves, _groups, max_leaves=7)
facts = st.lists(
    st.builds(
        lambda code, days: (code, days),
        st.sampled_from(CODES),
        st.integers(0, 1500),
    ),
    max_size=6,
    unique_by=lambda item: item[0],
).map(
    lambda items: [
        CompletionFact(i, code, NOW - timedelta(days=days))
        for i, (code, days) in enumerate(items, 1)
    ]
)
extra = st.builds(
    lambda code, days: CompletionFact(99, code, NOW - timedelta(days=days)),
    st.sampled_from(CODES),
    st.integers(0, 1500),
)
SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(rules, facts, extra)
def test_adding_a_completion_never_unsatisfies_nor_goes_back(rule, before, added):
    old = evaluate(rule, before, NOW, CATALOGUE)
    new = evaluate(rule, [*before, added], NOW, CATALOGUE)
    assert new.satisfied or not old.satisfied
    assert new.progress >= old.progress - 1e-9


@SETTINGS
@given(rules, facts)
def test_any_one_of_a_single_rule_is_that_rule(rule, completed):
    wrapped = evaluate(
        {"type": "any", "n": 1, "children": [rule]}, completed, NOW, CATALOGUE
    )
    plain = evaluate(rule, completed, NOW, CATALOGUE)
    assert (wrapped.satisfied, wrapped.progress) == (plain.satisfied, plain.progress)


@SETTINGS
@given(facts)
def test_all_of_nothing_is_satisfied(completed):
    result = evaluate({"type": "all", "children": []}, completed, NOW)
    assert result.satisfied
    assert result.progress == 1.0


@SETTINGS
@given(rules, facts)
def test_satisfied_means_nothing_is_missing(rule, completed):
    result = evaluate(rule, completed, NOW, CATALOGUE)
    if result.satisfied:
        assert not result.missing
        assert not result.next_steps
    else:
        assert result.progress < 1.0 or result.tree.reason


@SETTINGS
@given(rules, facts)
def test_no_completion_counts_twice(rule, completed):
    result = evaluate(rule, completed, NOW, CATALOGUE)
    leaf_ids = [
        i
        for node in result.tree.walk()
        if not node.children and node.type != "pathway"
        for i in node.met_by
    ]
    assert len(leaf_ids) == len(set(leaf_ids))
    # Credits reported by each node add up from distinct completions only.
    credits_by_id = {f.id: CATALOGUE.credits(f.module_code) for f in completed}
    for node in result.tree.walk():
        if node.type == "credits":
            assert node.credits <= sum(credits_by_id[i] for i in node.met_by)


@SETTINGS
@given(rules, facts, st.randoms(use_true_random=False))
def test_the_order_of_completions_does_not_matter(rule, completed, rng: random.Random):
    shuffled = list(completed)
    rng.shuffle(shuffled)
    first = evaluate(rule, completed, NOW, CATALOGUE)
    second = evaluate(rule, shuffled, NOW, CATALOGUE)
    assert first == second
