"""The exact search behind stacking rules: share the completions that several
leaves of a rule could use, so that none counts twice and the rule gets as far
as it can. Pure: no ORM, no knowledge of node types.

The engine scores a whole rule as (satisfied, progress, credits), compared in
that order. Giving one more completion to a leaf never lowers that score (a
leaf's value only grows with what it holds, and every group grows with its
children), so giving every completion still to decide to *all* the leaves that
could use it is an upper bound on what any way of sharing them can reach. The
search is a branch and bound on that bound: it decides one contested
completion at a time, tries first the leaf that keeps the bound highest, and
drops a branch as soon as its bound cannot beat the best sharing found. It
stops at once when a sharing reaches the bound of the whole problem, which is
what happens for every learner who can meet the rule. Where they cannot, two
partial sharings that leave the rest of the search the same choices and the
same standing (state_key: every group scores its children alike whatever their
order, so ten electives shared five and five is one state, however the ten were
dealt) are searched once. Nothing is approximated:
the result is the best sharing there is (proved against a brute-force
evaluation in tests/pathways/test_rule_search.py; its cost is in
bench/bench_rules.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

Pair = Any  # what a leaf holds: (fact, equivalence) for the engine


def best_assignment(
    candidates: Sequence[Sequence[Pair]],
    key: Callable[[Pair], Hashable],
    value_of: Callable[[int, list[Pair]], Any],
    score_of: Callable[[list[Any]], tuple],
    state_key: Callable[[frozenset[int], list[list[Pair]], list[Any]], Hashable]
    | None = None,
) -> list[list[Pair]]:
    """Per leaf, the pairs it keeps: each completion (by key) goes to one leaf.

    value_of(leaf, pairs) values one leaf; score_of(values) scores the rule and
    must not decrease when any leaf holds more. state_key(open leaves, what
    each leaf holds, values) names a partial sharing so that two with the same
    name reach the same scores from there on; values are exact for the leaves
    no longer open.
    """
    leaves_of: dict[Hashable, list[int]] = {}
    for leaf, found in enumerate(candidates):
        for pair in found:
            holders = leaves_of.setdefault(key(pair), [])
            if leaf not in holders:
                holders.append(leaf)
    contested = sorted(
        (k for k, holders in leaves_of.items() if len(holders) > 1), key=repr
    )
    if not contested:
        return [list(found) for found in candidates]
    position_of = {k: i for i, k in enumerate(contested)}
    chosen = [[p for p in found if key(p) not in position_of] for found in candidates]
    # options[i]: (leaf, the pairs of completion i that leaf would hold)
    options: list[list[tuple[int, list[Pair]]]] = []
    for k in contested:
        options.append(
            [
                (leaf, [p for p in candidates[leaf] if key(p) == k])
                for leaf in leaves_of[k]
            ]
        )
    touched = sorted({leaf for k in contested for leaf in leaves_of[k]})
    # still[leaf][i]: the pairs of completions i.. that this leaf could hold.
    still: dict[int, list[list[Pair]]] = {}
    for leaf in touched:
        suffix: list[list[Pair]] = [[] for _ in range(len(contested) + 1)]
        for i in range(len(contested) - 1, -1, -1):
            mine = [pairs for held_by, pairs in options[i] if held_by == leaf]
            suffix[i] = (mine[0] if mine else []) + suffix[i + 1]
        still[leaf] = suffix
    values = [value_of(leaf, chosen[leaf]) for leaf in range(len(candidates))]

    def bound(position: int) -> tuple:
        for leaf in touched:
            values[leaf] = value_of(leaf, chosen[leaf] + still[leaf][position])
        return score_of(values)

    open_from = [
        frozenset(leaf for leaf in touched if still[leaf][i])
        for i in range(len(contested) + 1)
    ]
    top = bound(0)
    best: list = [None, None]  # score, sharing
    seen: set = set()

    def search(position: int, upper: tuple) -> bool:
        """True once the best possible sharing is found."""
        if position == len(contested):
            if best[0] is None or upper > best[0]:
                best[0], best[1] = upper, [list(c) for c in chosen]
            return best[0] == top
        if state_key is not None and position:
            bound(position)  # values of the closed leaves, exact
            state = (position, state_key(open_from[position], chosen, values))
            if state in seen:
                return False
            seen.add(state)
        ranked = []
        for leaf, pairs in options[position]:
            chosen[leaf].extend(pairs)
            ranked.append((bound(position + 1), leaf, pairs))
            del chosen[leaf][-len(pairs) :]
        # Highest bound first; ties keep the leaves' order, so the result does
        # not depend on the order completions came in.
        ranked.sort(key=lambda item: item[0], reverse=True)
        for upper_here, leaf, pairs in ranked:
            if best[0] is not None and upper_here <= best[0]:
                break  # sorted: the rest can do no better either
            chosen[leaf].extend(pairs)
            found = search(position + 1, upper_here)
            del chosen[leaf][-len(pairs) :]
            if found:
                return True
        return False

    search(0, top)
    return best[1]
