"""Stacking rules: a pure evaluation of (rule, completions, date).

A rule is a JSON tree (DESIGN.md, "Stacking"):

    {"type": "module", "code": "XL-101"}            optional "versions": [2, 3],
                                                     "min_result": 6
    {"type": "pathway", "code": "DATA"}             a nested pathway
    {"type": "external", "issuer": "open-u", "achievement": "STATS-1"}
    {"type": "all", "children": [...]}
    {"type": "any", "n": 2, "children": [...]}
    {"type": "credits", "min": 15, "children": [...]}   or "tag": "elective"

Any node may carry "within_years" (recency of the completions beneath it). A root
with "reuse": true lets one completion count in several groups; otherwise a
completion counts once within a pathway, and the engine searches for the
assignment of completions to nodes that gets furthest.

No ORM here: the same function runs in a request, a worker or a bulk job. What
the engine needs to know about modules (titles, credits, tags, prerequisites),
approved equivalences and nested pathways comes in a Catalogue.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

NODE_TYPES = ("module", "pathway", "external", "all", "any", "credits")
# Beyond this many ways of sharing contested completions between nodes, the
# search falls back to a greedy pass: real rules stay far below it.
MAX_ASSIGNMENTS = 4096
YEAR = timedelta(days=365.25)


class RuleError(ValueError):
    """A rule tree that cannot be evaluated, with the reason in words."""


@dataclass(frozen=True, slots=True)
class CompletionFact:
    """What the engine needs to know about one completion.

    issuer is "" (or the catalogue's home) for the pathway's own organization,
    otherwise the other issuer's identifier; kind is "module" or "pathway".
    """

    id: int
    module_code: str
    completed_at: datetime
    issuer: str = ""
    version: int | None = None
    result: float | None = None
    credits: float = 0.0
    kind: str = "module"
    source: str = "graded"


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    code: str
    title: str = ""
    credits: float = 0.0
    tags: tuple[str, ...] = ()
    prerequisite: dict | None = None


@dataclass(frozen=True, slots=True)
class Equivalence:
    """An approved crosswalk: (issuer, achievement) counts as our module counts_as.

    counts_as "" accepts the outside credential for `external` nodes only.
    """

    id: int
    issuer: str
    achievement: str
    counts_as: str = ""
    approved_by: str = ""
    approved_on: date | None = None

    def describe(self) -> str:
        text = f"{self.achievement} of {self.issuer}"
        if self.counts_as:
            text += f" counts as {self.counts_as}"
        else:
            text += " is accepted"
        if self.approved_by:
            text += f" (approved by {self.approved_by}"
            text += f" on {self.approved_on:%d %b %Y})" if self.approved_on else ")"
        return text


@dataclass(frozen=True)
class Catalogue:
    home: str = ""
    modules: Mapping[str, ModuleInfo] = field(default_factory=dict)
    equivalences: tuple[Equivalence, ...] = ()
    pathways: Mapping[str, dict] = field(default_factory=dict)
    pathway_titles: Mapping[str, str] = field(default_factory=dict)

    def title(self, code: str) -> str:
        info = self.modules.get(code)
        return info.title if info and info.title else code

    def credits(self, code: str) -> float:
        info = self.modules.get(code)
        return float(info.credits) if info else 0.0


EMPTY = Catalogue()


@dataclass(slots=True)  # not frozen: an explanation builds many, and fast
class NodeResult:
    """One node of the evaluated tree: what it needs, whether it holds, and why."""

    path: str
    type: str
    label: str
    satisfied: bool
    progress: float
    reason: str = ""  # why not yet, in words; "" when satisfied
    met_by: tuple[int, ...] = ()  # completion ids this node used
    via: tuple[str, ...] = ()  # equivalences applied, in words
    code: str = ""
    credits: float = 0.0
    locked: bool = False  # a module whose prerequisite is not met
    children: tuple[NodeResult, ...] = ()

    def walk(self):
        """This node and every node beneath it, depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def as_json(self) -> dict:
        data = {
            "path": self.path,
            "type": self.type,
            "label": self.label,
            "satisfied": self.satisfied,
            "progress": round(self.progress, 4),
        }
        if self.reason:
            data["reason"] = self.reason
        if self.met_by:
            data["met_by"] = list(self.met_by)
        if self.via:
            data["via"] = list(self.via)
        if self.children:
            data["children"] = [c.as_json() for c in self.children]
        return data


@dataclass(frozen=True)
class NextStep:
    code: str
    title: str
    credits: float
    kind: str = "module"  # module, external
    locked: bool = False
    unlocks: str = ""  # the module this step is a prerequisite of
    alternatives: tuple[str, ...] = ()  # other codes that serve the same group
    group: str = ""  # the label of the group this step advances


@dataclass(frozen=True)
class Evaluation:
    satisfied: bool
    met: dict[str, int] = field(default_factory=dict)  # module code -> completion
    missing: tuple[str, ...] = ()  # module codes still needed on the cheapest plan
    required: int = 0  # module nodes on the plan
    done: int = 0  # of those, how many are met
    progress: float = 0.0  # 0..1; never goes down when a completion is added
    tree: NodeResult | None = None
    next_steps: tuple[NextStep, ...] = ()
    reasons: tuple[str, ...] = ()  # "not yet: needs 2 of C, D, E; you have 1"
    used: tuple[int, ...] = ()  # every completion id the result rests on

    def trace(self) -> dict:
        """The JSON stored with a PathwayCompletion: which completion met what."""
        return {
            "met": dict(self.met),
            "used": list(self.used),
            "tree": self.tree.as_json() if self.tree else {},
        }


# ---------------------------------------------------------------- reading rules


def module_codes(rule: dict) -> list[str]:
    """Every module code named in the rule, in order of appearance."""
    kind = rule.get("type")
    if kind == "module":
        return [rule["code"]]
    return [code for child in rule.get("children", []) for code in module_codes(child)]


def pathway_codes(rule: dict) -> list[str]:
    """Every nested pathway code named in the rule, in order of appearance."""
    if rule.get("type") == "pathway":
        return [rule["code"]]
    return [c for child in rule.get("children", []) for c in pathway_codes(child)]


def tags(rule: dict) -> list[str]:
    found = [rule["tag"]] if rule.get("type") == "credits" and rule.get("tag") else []
    return found + [t for child in rule.get("children", []) for t in tags(child)]


def _number(value, *, name: str, minimum: float, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"{name} must be a number.")
    if whole and int(value) != value:
        raise RuleError(f"{name} must be a whole number.")
    if value < minimum:
        raise RuleError(f"{name} must be at least {minimum:g}.")
    return value


def validate_rule(
    rule: dict, catalogue: Catalogue | None = None, *, pathway_code: str = ""
) -> None:
    """Raise RuleError, in words, for a rule that cannot be evaluated or met.

    With a catalogue, also checks that modules exist, credits can be reached
    and nested pathways form no cycle (pathway_code names the rule's own pathway).
    """
    if not isinstance(rule, dict):
        raise RuleError("A rule node must be an object with a type.")
    kind = rule.get("type")
    if kind not in NODE_TYPES:
        raise RuleError(
            f"Unknown rule node {kind!r}: use module, pathway, external, all, any "
            "or credits."
        )
    if "within_years" in rule:
        _number(rule["within_years"], name="within_years", minimum=0.1)
    if kind == "module":
        if not rule.get("code"):
            raise RuleError("A module node needs a module code.")
        versions = rule.get("versions")
        if versions is not None and (
            not isinstance(versions, list)
            or not versions
            or not all(isinstance(v, int) and v > 0 for v in versions)
        ):
            raise RuleError(f"Pinned versions of {rule['code']} must be numbers.")
        if "min_result" in rule:
            _number(rule["min_result"], name="A minimum result", minimum=0)
        if (
            catalogue is not None
            and catalogue.modules
            and (rule["code"] not in catalogue.modules)
        ):
            raise RuleError(f"No such module: {rule['code']}.")
        return
    if kind == "pathway":
        if not rule.get("code"):
            raise RuleError("A pathway node needs a pathway code.")
        if catalogue is not None:
            _check_cycles(rule["code"], catalogue, seen=(pathway_code,))
        return
    if kind == "external":
        if not rule.get("issuer") or not rule.get("achievement"):
            raise RuleError("An external node needs an issuer and an achievement.")
        return
    children = rule.get("children")
    if kind == "credits" and rule.get("tag"):
        if children:
            raise RuleError("A credits node takes either children or a tag, not both.")
        minimum = _number(rule.get("min"), name="A credits minimum", minimum=0.5)
        if catalogue is not None and catalogue.modules:
            available = sum(
                m.credits for m in catalogue.modules.values() if rule["tag"] in m.tags
            )
            if available < minimum:
                raise RuleError(
                    f"'at least {minimum:g} credits tagged {rule['tag']}' can never "
                    f"be met: tagged modules offer only {available:g}."
                )
        return
    if not isinstance(children, list):
        if kind == "credits":
            raise RuleError("A credits node needs children or a tag.")
        raise RuleError(f"An {kind!r} node needs a list of children.")
    if kind == "any":
        n = rule.get("n")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise RuleError("An 'any' node needs n, a whole number of at least 1.")
        if n > len(children):
            raise RuleError(
                f"'any {n}' can never be met: it has only {len(children)} children."
            )
    for child in children:
        validate_rule(child, catalogue, pathway_code=pathway_code)
    if kind == "credits":
        minimum = _number(rule.get("min"), name="A credits minimum", minimum=0.5)
        if not children:
            raise RuleError("A credits node needs children or a tag.")
        if catalogue is not None and catalogue.modules:
            available = sum(_max_credits(c, catalogue) for c in children)
            if available < minimum:
                raise RuleError(
                    f"'at least {minimum:g} credits' can never be met: its children "
                    f"offer only {available:g}."
                )


def _max_credits(rule: dict, catalogue: Catalogue) -> float:
    kind = rule["type"]
    if kind == "module":
        return catalogue.credits(rule["code"])
    if kind == "credits" and rule.get("tag"):
        return sum(
            m.credits for m in catalogue.modules.values() if rule["tag"] in m.tags
        )
    if kind == "pathway":
        nested = catalogue.pathways.get(rule["code"])
        return _max_credits(nested, catalogue) if nested else 0.0
    return sum(_max_credits(c, catalogue) for c in rule.get("children", []))


def _check_cycles(code: str, catalogue: Catalogue, *, seen: tuple) -> None:
    if code in seen:
        chain = " → ".join([*(s for s in seen if s), code])
        raise RuleError(f"Pathways cannot include each other: {chain}.")
    nested = catalogue.pathways.get(code)
    if nested:
        for inner in pathway_codes(nested):
            _check_cycles(inner, catalogue, seen=(*seen, code))


def describe(rule: dict, catalogue: Catalogue = EMPTY) -> str:
    """The rule in plain words: "all of A and B, plus any 2 of C, D, E"."""
    kind = rule.get("type")
    if kind == "module":
        text = rule["code"]
        if rule.get("versions"):
            text += " (version " + "/".join(str(v) for v in rule["versions"]) + ")"
        if "min_result" in rule:
            text += f" (result at least {rule['min_result']:g})"
    elif kind == "pathway":
        text = "the pathway " + catalogue.pathway_titles.get(rule["code"], rule["code"])
    elif kind == "external":
        text = f"{rule['achievement']} from {rule['issuer']}"
    elif kind == "credits":
        source = (
            f"modules tagged {rule['tag']}"
            if rule.get("tag")
            else ", ".join(describe(c, catalogue) for c in rule.get("children", []))
        )
        text = f"at least {rule['min']:g} credits from {source}"
    elif kind == "any":
        parts = [describe(c, catalogue) for c in rule["children"]]
        text = f"any {rule['n']} of {', '.join(parts)}"
    else:
        children = rule.get("children", [])
        plain = [describe(c, catalogue) for c in children if _is_leaf(c)]
        groups = [describe(c, catalogue) for c in children if not _is_leaf(c)]
        if not children:
            text = "nothing"
        elif not plain:
            text = "all of " + "; and ".join(groups)
        else:
            text = "all of " + _and(plain)
            if groups:
                text += ", plus " + ", plus ".join(groups)
    if rule.get("within_years"):
        text += f" (within {rule['within_years']:g} years)"
    return text


def _is_leaf(rule: dict) -> bool:
    return rule.get("type") in {"module", "pathway", "external"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ------------------------------------------------------------------- compiling


class _Node:
    __slots__ = ("kind", "path", "rule", "children", "n", "minimum", "leaf", "label")


class _Leaf:
    __slots__ = (
        "index",
        "kind",
        "code",
        "keys",
        "versions",
        "min_result",
        "years",
        "node",
        "tag_codes",
        "accepted",
    )


class CompiledRule:
    """A validated rule, prepared once and evaluated for many learners."""

    def __init__(self, rule: dict, catalogue: Catalogue = EMPTY, *, _stack=()) -> None:
        validate_rule(rule)
        self.rule = rule
        self.catalogue = catalogue
        self.reuse = bool(rule.get("reuse"))
        self.leaves: list[_Leaf] = []
        self.nested: dict[str, CompiledRule] = {}
        self._stack = _stack
        # Equivalences by the module they count as; accepted outside credentials.
        self._equivalent: dict[str, list[Equivalence]] = {}
        self._accepted: dict[tuple[str, str], Equivalence] = {}
        for eq in catalogue.equivalences:
            self._accepted.setdefault((eq.issuer, eq.achievement), eq)
            if eq.counts_as:
                self._equivalent.setdefault(eq.counts_as, []).append(eq)
        self.root = self._compile(rule, "0", None)

    def _keys(self, code: str) -> list[tuple[str, str, str, Equivalence | None]]:
        keys = [(self.catalogue.home, "module", code, None)]
        keys += [
            (eq.issuer, "module", eq.achievement, eq)
            for eq in self._equivalent.get(code, ())
        ]
        return keys

    def _compile(self, rule: dict, path: str, years: float | None) -> _Node:
        node = _Node()
        node.kind, node.path, node.rule = rule["type"], path, rule
        node.label = describe(rule, self.catalogue)
        if "within_years" in rule:
            own = float(rule["within_years"])
            years = own if years is None else min(years, own)
        node.children, node.leaf = (), None
        node.n = rule.get("n", 0)
        node.minimum = float(rule.get("min", 0))
        kind = node.kind
        if kind in {"module", "pathway", "external"} or (
            kind == "credits" and rule.get("tag")
        ):
            leaf = _Leaf()
            leaf.index, leaf.kind, leaf.node, leaf.years = (
                len(self.leaves),
                kind,
                node,
                years,
            )
            leaf.code = rule.get("code", "")
            leaf.versions = frozenset(rule.get("versions") or ())
            leaf.min_result = rule.get("min_result")
            leaf.tag_codes = ()
            leaf.accepted = None
            if kind == "module":
                leaf.keys = self._keys(leaf.code)
            elif kind == "credits":
                leaf.tag_codes = tuple(
                    sorted(
                        c
                        for c, m in self.catalogue.modules.items()
                        if rule["tag"] in m.tags
                    )
                )
                leaf.keys = [k for c in leaf.tag_codes for k in self._keys(c)]
            elif kind == "external":
                key = (rule["issuer"], rule["achievement"])
                leaf.accepted = self._accepted.get(key)
                leaf.keys = (
                    [(key[0], "module", key[1], leaf.accepted)] if leaf.accepted else []
                )
            else:  # pathway
                leaf.keys = [(self.catalogue.home, "pathway", leaf.code, None)]
                nested = self.catalogue.pathways.get(leaf.code)
                if leaf.code in self._stack:
                    raise RuleError(
                        "Pathways cannot include each other: "
                        + " → ".join([*self._stack, leaf.code])
                        + "."
                    )
                if nested is not None and leaf.code not in self.nested:
                    self.nested[leaf.code] = CompiledRule(
                        nested, self.catalogue, _stack=(*self._stack, leaf.code)
                    )
            self.leaves.append(leaf)
            node.leaf = leaf
            return node
        node.children = tuple(
            self._compile(child, f"{path}.{i}", years)
            for i, child in enumerate(rule["children"])
        )
        return node

    # ------------------------------------------------------------- evaluating

    def evaluate(
        self,
        completions: Iterable[CompletionFact],
        on: datetime,
        *,
        explain: bool = True,
    ) -> Evaluation:
        facts = _index(completions, on, self.catalogue.home)
        return self.evaluate_index(facts, on, explain=explain)

    def evaluate_index(self, facts: dict, on: datetime, *, explain: bool) -> Evaluation:
        candidates = [self._candidates(leaf, facts, on) for leaf in self.leaves]
        nested = {
            leaf.index: self._nested(leaf, facts, on, explain)
            for leaf in self.leaves
            if leaf.kind == "pathway"
        }
        assignment = self._assign(candidates, nested)
        values = [
            self._leaf_value(leaf, assignment[leaf.index], nested.get(leaf.index))
            for leaf in self.leaves
        ]
        satisfied, progress, _credits = _score(self.root, values)
        if not explain:
            return Evaluation(satisfied=satisfied, progress=progress)
        return self._explain(assignment, values, nested, facts, on)

    def _nested(self, leaf: _Leaf, facts: dict, on: datetime, explain: bool):
        compiled = self.nested.get(leaf.code)
        if compiled is None:
            return None
        if leaf.years is not None:
            cutoff = on - YEAR * leaf.years
            facts = {
                k: [f for f in fs if f.completed_at >= cutoff]
                for k, fs in facts.items()
            }
        return compiled.evaluate_index(facts, on, explain=explain)

    def _candidates(self, leaf: _Leaf, facts: dict, on: datetime) -> list:
        cutoff = on - YEAR * leaf.years if leaf.years is not None else None
        found = []
        for issuer, kind, code, eq in leaf.keys:
            for fact in facts.get((issuer, kind, code), ()):
                if cutoff is not None and fact.completed_at < cutoff:
                    continue
                if eq is None and leaf.versions and fact.version not in leaf.versions:
                    continue
                if leaf.min_result is not None and (
                    fact.result is None or fact.result < leaf.min_result
                ):
                    continue
                found.append((fact, eq))
        return found

    def _leaf_value(self, leaf: _Leaf, chosen: list, nested: Evaluation | None):
        """(satisfied, progress, credits, facts used) of one leaf."""
        if leaf.kind == "pathway":
            if chosen:
                return True, 1.0, 0.0, chosen[:1]
            if nested is not None:
                return (
                    nested.satisfied,
                    nested.progress,
                    0.0,
                    [],
                )
            return False, 0.0, 0.0, []
        if leaf.kind == "credits":
            best: dict[str, tuple] = {}
            for fact, eq in chosen:
                code = eq.counts_as if eq else fact.module_code
                credits = fact.credits or self.catalogue.credits(code)
                if code not in best or credits > best[code][0]:
                    best[code] = (credits, (fact, eq))
            earned = sum(c for c, _ in best.values())
            minimum = leaf.node.minimum
            return (
                earned >= minimum,
                min(1.0, earned / minimum) if minimum else 1.0,
                earned,
                [pair for _, pair in best.values()],
            )
        if not chosen:
            return False, 0.0, 0.0, []
        # The candidate worth most credits, then the most recent, counts.
        pair = max(
            chosen,
            key=lambda p: (
                p[0].credits or self.catalogue.credits(leaf.code),
                p[0].completed_at,
                -p[0].id,
            ),
        )
        credits = pair[0].credits or self.catalogue.credits(leaf.code)
        return True, 1.0, credits, [pair]

    def _assign(self, candidates: list[list], nested: dict) -> list[list]:
        """Share completions between leaves so none counts twice; best first."""
        if self.reuse:
            return candidates
        owners: dict[int, list[int]] = {}
        for index, found in enumerate(candidates):
            for fact, _eq in found:
                owners.setdefault(fact.id, [])
                if index not in owners[fact.id]:
                    owners[fact.id].append(index)
        contested = {fid: idx for fid, idx in owners.items() if len(idx) > 1}
        if not contested:
            return candidates
        base = [[p for p in found if p[0].id not in contested] for found in candidates]
        pairs = {}
        for index, found in enumerate(candidates):
            for pair in found:
                if pair[0].id in contested:
                    pairs[(pair[0].id, index)] = pair
        order = sorted(contested, key=lambda fid: fid)
        options = [contested[fid] for fid in order]

        def assignment_for(choice) -> list[list]:
            chosen = [list(found) for found in base]
            for fid, index in zip(order, choice, strict=True):
                chosen[index].append(pairs[(fid, index)])
            return chosen

        def score(chosen) -> tuple:
            values = [
                self._leaf_value(leaf, chosen[leaf.index], nested.get(leaf.index))
                for leaf in self.leaves
            ]
            satisfied, progress, credits = _score(self.root, values)
            return satisfied, progress, credits

        total = 1
        for option in options:
            total *= len(option)
        if total <= MAX_ASSIGNMENTS:
            best, best_score = None, None
            for choice in itertools.product(*options):
                chosen = assignment_for(choice)
                current = score(chosen)
                if best_score is None or current > best_score:
                    best, best_score = chosen, current
            return best
        # Greedy: give each contested completion to the leaf where it helps most.
        choice = [option[0] for option in options]
        for position, option in enumerate(options):
            best_index, best_score = option[0], None
            for index in option:
                choice[position] = index
                current = score(assignment_for(choice))
                if best_score is None or current > best_score:
                    best_index, best_score = index, current
            choice[position] = best_index
        return assignment_for(choice)

    # ------------------------------------------------------------- explaining

    def _explain(self, assignment, values, nested, facts, on) -> Evaluation:
        met: dict[str, int] = {}
        used: set[int] = set()
        for leaf, value in zip(self.leaves, values, strict=True):
            for fact, eq in value[3]:
                used.add(fact.id)
                if leaf.kind == "module":
                    met[leaf.code] = fact.id
                elif leaf.kind == "credits":
                    met[eq.counts_as if eq else fact.module_code] = fact.id
            sub = nested.get(leaf.index)
            if sub is not None and not value[3]:
                used.update(sub.used)
                if sub.satisfied:
                    met.update(sub.met)
        memo: dict = {}
        reasons: list[str] = []
        tree = self._result(self.root, values, nested, facts, on, memo, reasons)
        done, required = _counts(self.root, values, nested, memo)
        steps = self._steps(tree, values, nested, facts, on)
        missing = (
            () if tree.satisfied else tuple(s.code for s in steps if not s.unlocks)
        )
        reasons = [r for r in reasons if r]
        if not reasons and tree.reason:
            reasons.append(tree.reason)
        return Evaluation(
            satisfied=tree.satisfied,
            met=met,
            missing=missing,
            required=required,
            done=done,
            progress=tree.progress,
            tree=tree,
            next_steps=() if tree.satisfied else steps,
            reasons=tuple(reasons),
            used=tuple(sorted(used)),
        )

    def _result(
        self, node: _Node, values, nested, facts, on, memo, reasons
    ) -> NodeResult:
        leaf = node.leaf
        if leaf is not None:
            satisfied, progress, credits, pairs = values[leaf.index]
            ids = tuple(sorted(f.id for f, _ in pairs))
            via = tuple(sorted({eq.describe() for _, eq in pairs if eq}))
            reason = ""
            children = ()
            sub = nested.get(leaf.index)
            if leaf.kind == "pathway" and sub is not None and not pairs:
                children = (sub.tree,) if sub.tree else ()
                ids = sub.used
            if not satisfied:
                reason = self._leaf_reason(leaf, values[leaf.index], sub, facts, on)
                if children:
                    reasons.append(f"{node.label}: {reason}")
            locked = (
                leaf.kind == "module"
                and not satisfied
                and not self._prerequisite_met(leaf.code, facts, on)
            )
            return NodeResult(
                path=node.path,
                type=node.kind,
                label=node.label,
                satisfied=satisfied,
                progress=progress,
                reason=reason,
                met_by=ids,
                via=via,
                code=leaf.code,
                credits=credits,
                locked=locked,
                children=children,
            )
        slot = len(reasons)
        reasons.append("")  # the group's own reason goes before its children's
        children = tuple(
            self._result(c, values, nested, facts, on, memo, reasons)
            for c in node.children
        )
        satisfied, progress, credits = _score(node, values, memo)
        reason = ""
        if not satisfied:
            have = [c for c in children if c.satisfied]
            names = ", ".join(c.label for c in children)
            if node.kind == "any":
                reason = f"not yet: needs {node.n} of {names}; you have {len(have)}"
            elif node.kind == "all":
                reason = f"not yet: needs all of {names}; you have {len(have)}"
                if have:
                    reason += " (" + ", ".join(c.label for c in have) + ")"
            else:
                reason = (
                    f"not yet: needs {node.minimum:g} credits; you have {credits:g}"
                )
            reasons[slot] = f"{node.label}: {reason}"
        return NodeResult(
            path=node.path,
            type=node.kind,
            label=node.label,
            satisfied=satisfied,
            progress=progress,
            reason=reason,
            met_by=tuple(sorted({i for c in children for i in c.met_by})),
            via=tuple(sorted({v for c in children for v in c.via})),
            credits=credits,
            children=children,
        )

    def _leaf_reason(self, leaf: _Leaf, value, sub, facts, on) -> str:
        if leaf.kind == "credits":
            return (
                f"not yet: needs {leaf.node.minimum:g} credits tagged "
                f"{leaf.node.rule['tag']}; you have {value[2]:g}"
            )
        if leaf.kind == "external":
            if leaf.accepted is None:
                return (
                    f"not yet: no approved equivalence accepts "
                    f"{leaf.node.rule['achievement']} from {leaf.node.rule['issuer']}"
                )
            return f"not yet: needs {leaf.node.label} on file"
        if leaf.kind == "pathway":
            if sub is not None:
                return f"not yet: {round(sub.progress * 100)}% of {leaf.node.label}"
            return f"not yet: needs {leaf.node.label}"
        # A module: say why what is on file does not count, if anything is.
        cutoff = on - YEAR * leaf.years if leaf.years is not None else None
        on_file = [
            f
            for issuer, kind, code, _eq in leaf.keys
            for f in facts.get((issuer, kind, code), ())
        ]
        title = self.catalogue.title(leaf.code)
        name = leaf.code if title == leaf.code else f"{leaf.code} {title}"
        for fact in on_file:
            if cutoff is not None and fact.completed_at < cutoff:
                return (
                    f"completed {fact.completed_at:%d %b %Y}, more than "
                    f"{leaf.years:g} years ago: {name} must be retaken"
                )
            if leaf.versions and fact.version not in leaf.versions:
                wanted = "/".join(str(v) for v in sorted(leaf.versions))
                return f"version {fact.version} does not count; needs version {wanted}"
            if leaf.min_result is not None and (
                fact.result is None or fact.result < leaf.min_result
            ):
                got = "no result" if fact.result is None else f"{fact.result:g}"
                return f"result {got} is below the minimum {leaf.min_result:g}"
        if on_file:
            return f"not yet: {name} already counts toward another group"
        return f"not yet: {name}"

    def _prerequisite_met(self, code: str, facts: dict, on: datetime) -> bool:
        info = self.catalogue.modules.get(code)
        if info is None or not info.prerequisite:
            return True
        compiled = _compile_cached(info.prerequisite, self.catalogue)
        return compiled.evaluate_index(facts, on, explain=False).satisfied

    def _steps(
        self, tree: NodeResult, values, nested, facts, on
    ) -> tuple[NextStep, ...]:
        plan = self._plan(self.root, tree, values, nested, facts, on)[1]
        steps: list[NextStep] = []
        seen: set[str] = set()
        # Prerequisites come first: a locked step is preceded by what unlocks it.
        for step in plan:
            if step.locked:
                info = self.catalogue.modules.get(step.code)
                inner = _compile_cached(info.prerequisite, self.catalogue)
                for pre in inner.evaluate_index(facts, on, explain=True).next_steps:
                    if pre.code not in seen and not pre.locked:
                        seen.add(pre.code)
                        steps.append(
                            NextStep(
                                pre.code,
                                pre.title,
                                pre.credits,
                                unlocks=step.code,
                                alternatives=pre.alternatives,
                                group=f"needed before {step.code}",
                            )
                        )
        for step in plan:
            if step.code not in seen:
                seen.add(step.code)
                steps.append(step)
        order = {s.code: i for i, s in enumerate(steps)}
        return tuple(
            sorted(
                steps,
                key=lambda s: (
                    s.locked,
                    0 if s.unlocks else 1,
                    s.credits,
                    order[s.code],
                ),
            )
        )

    def _plan(self, node: _Node, result: NodeResult, values, nested, facts, on):
        """(cost in credits, steps) of the cheapest way to satisfy this node."""
        if result.satisfied:
            return 0.0, []
        leaf = node.leaf
        if leaf is not None:
            if leaf.kind == "module":
                credits = self.catalogue.credits(leaf.code)
                step = NextStep(
                    leaf.code,
                    self.catalogue.title(leaf.code),
                    credits,
                    locked=result.locked,
                )
                return credits, [step]
            if leaf.kind == "external":
                rule = leaf.node.rule
                step = NextStep(
                    rule["achievement"],
                    f"{rule['achievement']} from {rule['issuer']}",
                    0.0,
                    kind="external",
                )
                return 0.0, [step]
            if leaf.kind == "pathway":
                sub = nested.get(leaf.index)
                if sub is None:
                    return 0.0, []
                steps = list(sub.next_steps)
                return sum(s.credits for s in steps), steps
            # A tagged credits pool: the cheapest tagged modules not yet done.
            have = {self._code_of(p) for p in values[leaf.index][3]}
            remaining = leaf.node.minimum - values[leaf.index][2]
            options = sorted(
                (self.catalogue.credits(c), c)
                for c in leaf.tag_codes
                if c not in have and self.catalogue.credits(c) > 0
            )
            chosen, total = [], 0.0
            for credits, code in options:
                if total >= remaining:
                    break
                chosen.append((credits, code))
                total += credits
            others = tuple(c for _, c in options if (_, c) not in chosen)
            steps = [
                NextStep(
                    code,
                    self.catalogue.title(code),
                    credits,
                    alternatives=others,
                    group=node.label,
                )
                for credits, code in chosen
            ]
            return sum(c for c, _ in chosen), steps
        plans = [
            (self._plan(c, r, values, nested, facts, on), r, c)
            for c, r in zip(node.children, result.children, strict=True)
        ]
        open_plans = [(p, r, c) for p, r, c in plans if not r.satisfied]
        if node.kind == "all":
            steps = [s for (_, ss), _, _ in open_plans for s in ss]
            return sum(cost for (cost, _), _, _ in open_plans), steps
        ranked = sorted(
            open_plans,
            key=lambda item: (
                any(s.locked for s in item[0][1]),
                item[0][0],
                item[1].path,
            ),
        )
        if node.kind == "any":
            need = node.n - sum(1 for _, r, _ in plans if r.satisfied)
            chosen, others = ranked[:need], ranked[need:]
        else:  # credits from children
            remaining = node.minimum - result.credits
            chosen, gained = [], 0.0
            for item in ranked:
                if gained >= remaining:
                    break
                chosen.append(item)
                gained += _max_credits(item[2].rule, self.catalogue)
            others = [item for item in ranked if item not in chosen]
        alternatives = tuple(s.code for (_, ss), _, _ in others for s in ss) or tuple(
            r.label for _, r, _ in others
        )
        steps = [
            NextStep(
                s.code,
                s.title,
                s.credits,
                kind=s.kind,
                locked=s.locked,
                unlocks=s.unlocks,
                alternatives=s.alternatives or alternatives,
                group=s.group or node.label,
            )
            for (_, ss), _, _ in chosen
            for s in ss
        ]
        return sum(cost for (cost, _), _, _ in chosen), steps

    @staticmethod
    def _code_of(pair) -> str:
        fact, eq = pair
        return eq.counts_as if eq else fact.module_code


def _index(completions: Iterable[CompletionFact], on: datetime, home: str) -> dict:
    """Completions by (issuer, kind, code), those after `on` left out."""
    facts: dict[tuple[str, str, str], list[CompletionFact]] = {}
    for fact in completions:
        if fact.completed_at > on:
            continue
        issuer = home if fact.issuer == "" else fact.issuer
        facts.setdefault((issuer, fact.kind, fact.module_code), []).append(fact)
    for found in facts.values():
        if len(found) > 1:
            found.sort(key=lambda f: (f.completed_at, f.id))
    return facts


def _score(node: _Node, values, memo: dict | None = None) -> tuple[bool, float, float]:
    """(satisfied, progress, credits) of a node, from its leaves' values.

    memo (by node path) keeps an explanation's repeated look-ups linear.
    """
    if memo is not None and node.path in memo:
        return memo[node.path]
    leaf = node.leaf
    if leaf is not None:
        satisfied, progress, credits, _ = values[leaf.index]
        found = satisfied, progress, credits
    else:
        found = _group_score(node, [_score(c, values, memo) for c in node.children])
    if memo is not None:
        memo[node.path] = found
    return found


def _group_score(node: _Node, scores: list) -> tuple[bool, float, float]:
    credits = sum(s[2] for s in scores if s[0])
    if node.kind == "all":
        if not scores:
            return True, 1.0, 0.0
        return (
            all(s[0] for s in scores),
            sum(s[1] for s in scores) / len(scores),
            credits,
        )
    if node.kind == "any":
        best = sorted((s[1] for s in scores), reverse=True)[: node.n]
        return (
            sum(1 for s in scores if s[0]) >= node.n,
            sum(best) / node.n,
            credits,
        )
    minimum = node.minimum
    return credits >= minimum, min(1.0, credits / minimum) if minimum else 1.0, credits


def _counts(node: _Node, values, nested, memo: dict) -> tuple[int, int]:
    """(done, required) module-sized steps on the closest plan, for "2 of 3"."""
    leaf = node.leaf
    if leaf is not None:
        sub = nested.get(leaf.index)
        if leaf.kind == "pathway" and sub is not None and not values[leaf.index][3]:
            return sub.done, sub.required
        if leaf.kind == "credits":
            have = len(values[leaf.index][3])
            return have, have + (0 if values[leaf.index][0] else 1)
        return (1 if values[leaf.index][0] else 0), 1
    counts = [
        (_counts(c, values, nested, memo), _score(c, values, memo))
        for c in node.children
    ]
    if node.kind == "all":
        return sum(c[0] for c, _ in counts), sum(c[1] for c, _ in counts)
    ranked = sorted(counts, key=lambda item: (not item[1][0], -item[1][1]))
    if node.kind == "any":
        chosen = ranked[: node.n]
    else:  # credits from children: those that count, and one more if short
        chosen = [item for item in ranked if item[1][0]]
        if not _score(node, values, memo)[0]:
            chosen += [item for item in ranked if not item[1][0]][:1]
    return sum(c[0] for c, _ in chosen), sum(c[1] for c, _ in chosen)


_CACHE: dict[tuple[int, int], CompiledRule] = {}


def _compile_cached(rule: dict, catalogue: Catalogue) -> CompiledRule:
    key = (id(rule), id(catalogue))
    compiled = _CACHE.get(key)
    if (
        compiled is None
        or compiled.rule is not rule
        or compiled.catalogue is not catalogue
    ):
        if len(_CACHE) > 256:
            _CACHE.clear()
        compiled = _CACHE[key] = CompiledRule(rule, catalogue)
    return compiled


def compile_rule(rule: dict, catalogue: Catalogue = EMPTY) -> CompiledRule:
    return CompiledRule(rule, catalogue)


def evaluate(
    rule: dict,
    completions: Iterable[CompletionFact],
    on: datetime,
    catalogue: Catalogue = EMPTY,
) -> Evaluation:
    """Is the rule satisfied by these completions on this date, and how far along?"""
    return CompiledRule(rule, catalogue).evaluate(completions, on)
