"""The engine's search against a brute-force evaluation written apart from it.

For random rules (modules, tagged credit pools, a nested pathway, all / any /
credits groups, recency, decimal credits) and random completions, the brute
force tries every way of giving each completion to one of the leaves that
could use it, or to none, scores each with a plain recursive reading of the
rule, and keeps the best. The engine must reach exactly that best.
"""

import itertools
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.rules import Catalogue, CompletionFact, ModuleInfo, evaluate

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
CREDITS = {
    "A": Decimal("0.3"),
    "B": Decimal("0.6"),
    "C": Decimal("1.5"),
    "D": Decimal(2),
    "E": Decimal(5),
}
TAGGED = {"B", "C", "E"}
NESTED = {
    "type": "all",
    "children": [{"type": "module", "code": "A"}, {"type": "module", "code": "B"}],
}
CATALOGUE = Catalogue(
    modules={
        code: ModuleInfo(code, code, value, tags=("t",) if code in TAGGED else ())
        for code, value in CREDITS.items()
    },
    pathways={"P": NESTED},
)
P_WORTH = CREDITS["A"] + CREDITS["B"]

# ------------------------------------------------------------ random rules

years = st.sampled_from([None, None, None, 1, 3])


def _with_years(node, y):
    return node | ({"within_years": y} if y else {})


leaves = st.one_of(
    st.builds(
        lambda code, y: _with_years({"type": "module", "code": code}, y),
        st.sampled_from(sorted(CREDITS)),
        years,
    ),
    st.builds(
        lambda minimum, y: _with_years(
            {"type": "credits", "min": minimum, "tag": "t"}, y
        ),
        st.sampled_from([0.9, 2, 6.5]),
        years,
    ),
    st.builds(lambda y: _with_years({"type": "pathway", "code": "P"}, y), years),
)


def _groups(children):
    return st.one_of(
        st.builds(
            lambda c, y: _with_years({"type": "all", "children": c}, y),
            st.lists(children, max_size=3),
            years,
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
            st.sampled_from([0.9, 2, 3.5]),
        ),
    )


rules = st.recursive(leaves, _groups, max_leaves=6)
completions = st.lists(
    st.tuples(st.sampled_from(sorted(CREDITS)), st.integers(0, 1500)), max_size=5
).map(
    lambda items: [
        CompletionFact(i, code, NOW - timedelta(days=days))
        for i, (code, days) in enumerate(items, 1)
    ]
)

# ------------------------------------------------------------ brute force


def recent(fact, limit) -> bool:
    if limit is None:
        return True
    today = NOW.date()
    return fact.completed_at.date() >= today.replace(year=today.year - limit)


def tightest(a, b):
    return b if a is None else a if b is None else min(a, b)


def leaf_list(rule, limit=None, path="0"):
    """(path, node, recency) of every leaf."""
    limit = tightest(limit, rule.get("within_years"))
    kind = rule["type"]
    if kind in {"module", "pathway"} or (kind == "credits" and "tag" in rule):
        return [(path, rule, limit)]
    return [
        leaf
        for i, child in enumerate(rule["children"])
        for leaf in leaf_list(child, limit, f"{path}.{i}")
    ]


def nested_state(facts, limit):
    """(satisfied, progress) of P from the modules within the limit."""
    have = {f.module_code for f in facts if recent(f, limit)}
    done = [code in have for code in ("A", "B")]
    return all(done), sum(done) / 2


def score(rule, held, facts, limit=None, path="0"):
    """(satisfied, progress, credits) of a node, given what each leaf holds."""
    limit = tightest(limit, rule.get("within_years"))
    kind = rule["type"]
    if kind == "module":
        if held.get(path):
            return True, 1.0, CREDITS[rule["code"]]
        return False, 0.0, Decimal(0)
    if kind == "pathway":
        if held.get(path):
            return True, 1.0, P_WORTH
        satisfied, progress = nested_state(facts, limit)
        return False, (0.0 if satisfied else progress), Decimal(0)
    if kind == "credits" and "tag" in rule:
        earned = sum(
            (CREDITS[c] for c in {f.module_code for f in held.get(path, ())}),
            Decimal(0),
        )
        minimum = Decimal(str(rule["min"]))
        return earned >= minimum, min(1.0, float(earned / minimum)), earned
    parts = [
        score(child, held, facts, limit, f"{path}.{i}")
        for i, child in enumerate(rule["children"])
    ]
    credits = sum((p[2] for p in parts if p[0]), Decimal(0))
    if kind == "all":
        if not parts:
            return True, 1.0, Decimal(0)
        return all(p[0] for p in parts), sum(p[1] for p in parts) / len(parts), credits
    if kind == "any":
        top = sorted((p[1] for p in parts), reverse=True)[: rule["n"]]
        return sum(p[0] for p in parts) >= rule["n"], sum(top) / rule["n"], credits
    minimum = Decimal(str(rule["min"]))
    return credits >= minimum, min(1.0, float(credits / minimum)), credits


def brute_force(rule, facts):
    found = leaf_list(rule)
    items = list(facts) + ["P"]  # "P": the nested pathway, once, if it holds
    options = []
    for item in items:
        fits = [None]
        for path, node, limit in found:
            if item == "P":
                if node["type"] == "pathway" and nested_state(facts, limit)[0]:
                    fits.append(path)
            elif node["type"] == "module":
                if node["code"] == item.module_code and recent(item, limit):
                    fits.append(path)
            elif (
                node["type"] == "credits"
                and item.module_code in TAGGED
                and recent(item, limit)
            ):
                fits.append(path)
        options.append(fits)
    best = None
    for choice in itertools.product(*options):
        held = {}
        for item, path in zip(items, choice, strict=True):
            if path is not None:
                held.setdefault(path, []).append(item)
        current = score(rule, held, facts)
        if (
            best is None
            or current[:2] > best[:2]
            or (current[:2] == best[:2] and current[2] > best[2])
        ):
            best = current
    return best


@settings(max_examples=300, deadline=None)
@given(rules, completions)
def test_the_search_reaches_the_best_sharing_a_brute_force_finds(rule, facts):
    result = evaluate(rule, facts, NOW, CATALOGUE)
    satisfied, progress, credits = brute_force(rule, facts)
    assert result.satisfied == satisfied
    assert result.progress == pytest.approx(progress, abs=1e-12)
    assert result.tree.credits == credits


@settings(max_examples=200, deadline=None)
@given(rules, completions)
def test_no_reason_says_you_have_0(rule, facts):
    result = evaluate(rule, facts, NOW, CATALOGUE)
    for node in result.tree.walk():
        assert not re.search(r"you have 0(?![.\d])", node.reason)
