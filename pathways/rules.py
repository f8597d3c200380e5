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
completion counts once within a pathway, and the engine finds the sharing of
completions between nodes that gets furthest (pathways/rulesearch.py, exact).

How the rules read, as the rule builder's help says (RULE_HELP):
- Credits are exact decimals: 0.3 + 0.6 meets a minimum of 0.9.
- within_years counts calendar dates in the organization's time zone: "within
  3 years" on 1 June 2026 accepts a completion dated 1 June 2023 there, not 31
  May 2023, whatever the hour. Fractions of a year are whole months (0.5 is six
  months); a month-end date moves back to the shorter month's last day.
- A nested pathway counts once in a rule, however often it is named, whether
  its completion is recorded or worked out from its modules; it earns its
  credit value, the fewest credits a learner earns on the way to it.
- A version pin counts our own completions of those versions only: an
  equivalence stands for the module as a whole and does not meet a pinned node.
- A minimum result counts graded results only: a completion with no result on
  file (recognised prior learning, an outside credential) does not meet a
  minimum above 0; a minimum of 0 is no minimum at all.

No ORM here: the same function runs in a request, a worker or a bulk job. What
the engine needs to know about modules (titles, credits, tags, prerequisites),
approved equivalences and nested pathways comes in a Catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal

from pathways import wording
from pathways.rulesearch import best_assignment

NODE_TYPES = ("module", "pathway", "external", "all", "any", "credits")
DERIVED = "derived"  # a nested pathway's completion, worked out from its modules
ZERO = Decimal(0)


def credits_of(value) -> Decimal:
    """An exact decimal from a number as JSON or a database gives it: 0.1 is
    Decimal("0.1"), not the binary fraction nearest to it."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value or 0)


def number_text(value) -> str:
    """A number for people: 5, 2.5, 0.9 (never 5.00 or 1E+1)."""
    if not isinstance(value, Decimal):
        value = credits_of(value)
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", ""} else text


def cutoff_date(on: datetime, years, zone: tzinfo) -> date:
    """The earliest completion date that is within `years` of `on`, in calendar
    dates where the organization is: whole years, fractions as whole months."""
    months = round(float(years) * 12)
    today = on.astimezone(zone).date()
    total = today.year * 12 + (today.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    # The last day of that month, where the day does not exist in it.
    next_first = date(year + month // 12, month % 12 + 1, 1)
    last = (next_first - date.resolution).day
    return date(year, month, min(today.day, last))


def local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


# How rules are read, in the rule builder's words (shown beside the builder).
RULE_HELP = (
    "Credits are exact: 0.3 and 0.6 make 0.9.",
    "Recency (within_years) counts calendar dates in {time_zone}: “within 3 "
    "years” on 1 June 2026 accepts work completed on 1 June 2023 or later there, "
    "whatever the hour. Fractions of a year are whole months (0.5 is six months).",
    "A completion counts once in a pathway, even where several groups name its "
    "module; Cairn finds the sharing that gets the learner furthest.",
    "A nested pathway counts once, however often the rule names it, whether its "
    "completion is recorded or worked out from its modules. In a credits group "
    "it is worth the fewest credits a learner earns on the way to it.",
    "A pinned version (versions: [2, 3]) counts only this organization's "
    "completions of those versions: an equivalence stands for the module as a "
    "whole and does not meet a pinned module. Pins must name published versions.",
    "A minimum result (min_result) counts graded results only: recognised prior "
    "learning and outside credentials carry no result and do not meet a minimum "
    "above 0. A minimum of 0 is no minimum.",
)


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
    credits: Decimal = ZERO
    kind: str = "module"
    source: str = "graded"

    def __post_init__(self) -> None:
        if not isinstance(self.credits, Decimal):
            object.__setattr__(self, "credits", credits_of(self.credits))


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    code: str
    title: str = ""
    credits: Decimal = ZERO
    tags: tuple[str, ...] = ()
    prerequisite: dict | None = None
    # Published version numbers, for checking pins; () when not known.
    versions: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.credits, Decimal):
            object.__setattr__(self, "credits", credits_of(self.credits))


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
    # Where the organization is: recency counts calendar dates there.
    time_zone: tzinfo = UTC

    def title(self, code: str) -> str:
        info = self.modules.get(code)
        return info.title if info and info.title else code

    def credits(self, code: str) -> Decimal:
        info = self.modules.get(code)
        return info.credits if info else ZERO


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
    credits: Decimal = ZERO
    locked: bool = False  # a module whose prerequisite is not met
    children: tuple[NodeResult, ...] = ()
    on_file: bool = False  # something on file names this node or one beneath

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
    credits: Decimal
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


def effective_prerequisite(rule: dict | None, codes: Iterable[str]) -> dict | None:
    """A module's prerequisite: its stacking rule and the modules its version
    lists as prerequisites, as one rule (None when it has neither)."""
    listed = [{"type": "module", "code": code} for code in sorted(set(codes))]
    if not listed:
        return rule or None
    if not rule:
        return {"type": "all", "children": listed}
    return {"type": "all", "children": [rule, *listed]}


def tags(rule: dict) -> list[str]:
    found = [rule["tag"]] if rule.get("type") == "credits" and rule.get("tag") else []
    return found + [t for child in rule.get("children", []) for t in tags(child)]


def _number(value, *, name: str, minimum: float, whole: bool = False) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise RuleError(f"{name} must be a number.")
    if whole and int(value) != value:
        raise RuleError(f"{name} must be a whole number.")
    if value < minimum:
        raise RuleError(f"{name} must be at least {number_text(minimum)}.")
    return credits_of(value)


def validate_rule(
    rule: dict, catalogue: Catalogue | None = None, *, pathway_code: str = ""
) -> None:
    """Raise RuleError, in words, for a rule that cannot be evaluated or met.

    With a catalogue, also checks that modules and pinned versions exist,
    credits can be reached and nested pathways form no cycle (pathway_code
    names the rule's own pathway).
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
        years = _number(rule["within_years"], name="within_years", minimum=0)
        months = years * 12
        if months < 1 or abs(months - round(months)) > Decimal("0.000001"):
            raise RuleError(
                "within_years counts whole years or whole months: 2 for two "
                "years, 0.5 for six months, 0.25 for three."
            )
    if kind == "module":
        if not rule.get("code"):
            raise RuleError("A module node needs a module code.")
        versions = rule.get("versions")
        if versions is not None and (
            not isinstance(versions, list)
            or not versions
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and v > 0
                for v in versions
            )
        ):
            raise RuleError(f"Pinned versions of {rule['code']} must be numbers.")
        if "min_result" in rule:
            _number(rule["min_result"], name="A minimum result", minimum=0)
        if catalogue is not None and catalogue.modules:
            info = catalogue.modules.get(rule["code"])
            if info is None:
                raise RuleError(f"No such module: {rule['code']}.")
            unknown = sorted(set(versions or ()) - set(info.versions))
            if info.versions and unknown:
                raise RuleError(
                    f"{rule['code']} has no published version "
                    + ", ".join(str(v) for v in unknown)
                    + "; its versions are "
                    + ", ".join(str(v) for v in info.versions)
                    + "."
                )
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
                (
                    m.credits
                    for m in catalogue.modules.values()
                    if rule["tag"] in m.tags
                ),
                ZERO,
            )
            if available < minimum:
                raise RuleError(
                    f"'at least {number_text(minimum)} credits tagged {rule['tag']}' "
                    f"can never be met: tagged modules offer only "
                    f"{number_text(available)}."
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
                f"This group asks for {n} of its {len(children)} "
                f"{'module' if len(children) == 1 else 'modules'} and can never be "
                "met: lower the number or add modules."
            )
    for child in children:
        validate_rule(child, catalogue, pathway_code=pathway_code)
    if kind == "credits":
        minimum = _number(rule.get("min"), name="A credits minimum", minimum=0.5)
        if not children:
            raise RuleError("A credits node needs children or a tag.")
        if catalogue is not None and catalogue.modules:
            available = sum((_max_credits(c, catalogue) for c in children), ZERO)
            if available < minimum:
                raise RuleError(
                    f"'at least {number_text(minimum)} credits' can never be met: "
                    f"its children offer only {number_text(available)}."
                )


def _max_credits(rule: dict, catalogue: Catalogue) -> Decimal:
    """The most credits a node can bring to a credits group above it."""
    kind = rule["type"]
    if kind == "module":
        return catalogue.credits(rule["code"])
    if kind == "credits" and rule.get("tag"):
        return sum(
            (m.credits for m in catalogue.modules.values() if rule["tag"] in m.tags),
            ZERO,
        )
    if kind == "pathway":
        return credit_value(rule, catalogue)
    return sum((_max_credits(c, catalogue) for c in rule.get("children", [])), ZERO)


def credit_value(rule: dict, catalogue: Catalogue, _seen: tuple = ()) -> Decimal:
    """The fewest credits a learner earns on the way to meeting the rule: what
    a nested pathway is worth to a credits group. Outside achievements and
    unknown modules bring none."""
    kind = rule.get("type")
    if kind == "module":
        return catalogue.credits(rule["code"])
    if kind == "credits":
        return credits_of(rule["min"])
    if kind == "pathway":
        nested = catalogue.pathways.get(rule["code"])
        if nested is None or rule["code"] in _seen:
            return ZERO
        return credit_value(nested, catalogue, (*_seen, rule["code"]))
    if kind == "external":
        return ZERO
    parts = [credit_value(c, catalogue, _seen) for c in rule.get("children", [])]
    if kind == "any":
        return sum(sorted(parts)[: int(rule["n"])], ZERO)
    return sum(parts, ZERO)


def _check_cycles(code: str, catalogue: Catalogue, *, seen: tuple) -> None:
    if code in seen:
        chain = " → ".join([*(s for s in seen if s), code])
        raise RuleError(f"Pathways cannot include each other: {chain}.")
    nested = catalogue.pathways.get(code)
    if nested:
        for inner in pathway_codes(nested):
            _check_cycles(inner, catalogue, seen=(*seen, code))


def describe(rule: dict, catalogue: Catalogue = EMPTY) -> str:
    """The rule as a sentence for people, titles in place of codes: "Complete
    Spreadsheet Foundations, and either Data Visualisation or Analytical
    Reporting." (pathways/wording.py)."""
    return wording.sentence(rule, catalogue)


# ------------------------------------------------------------------- compiling


class _Node:
    __slots__ = (
        "kind",
        "path",
        "rule",
        "children",
        "n",
        "minimum",
        "leaf",
        "label",
        "leaf_indices",
    )


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
        "worth",
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
        self._since: dict = {}  # (on, years) -> the first instant that counts
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

    def _compile(self, rule: dict, path: str, years: Decimal | None) -> _Node:
        node = _Node()
        node.kind, node.path, node.rule = rule["type"], path, rule
        node.label = wording.phrase(rule, self.catalogue)
        if "within_years" in rule:
            own = credits_of(rule["within_years"])
            years = own if years is None else min(years, own)
        node.children, node.leaf = (), None
        node.n = rule.get("n", 0)
        node.minimum = credits_of(rule.get("min", 0))
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
            # A minimum of 0 is no minimum: any completion counts, result or not.
            leaf.min_result = rule.get("min_result") or None
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
                leaf.worth = credit_value(rule, self.catalogue)
            self.leaves.append(leaf)
            node.leaf = leaf
            node.leaf_indices = frozenset({leaf.index})
            return node
        node.children = tuple(
            self._compile(child, f"{path}.{i}", years)
            for i, child in enumerate(rule["children"])
        )
        node.leaf_indices = frozenset().union(*(c.leaf_indices for c in node.children))
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
        nested = {
            leaf.index: self._nested(leaf, facts, on, explain)
            for leaf in self.leaves
            if leaf.kind == "pathway"
        }
        candidates = [
            self._candidates(leaf, facts, on, nested.get(leaf.index))
            for leaf in self.leaves
        ]
        assignment = self._assign(candidates, nested)
        values = [
            self._leaf_value(leaf, assignment[leaf.index], nested.get(leaf.index))
            for leaf in self.leaves
        ]
        satisfied, progress, _credits = _score(self.root, values)
        if not explain:
            return Evaluation(satisfied=satisfied, progress=progress)
        return self._explain(assignment, values, nested, facts, on)

    def _recent(self, facts: list, leaf: _Leaf, on: datetime) -> list:
        if leaf.years is None:
            return facts
        since = self._since.get((on, leaf.years))
        if since is None:
            if len(self._since) > 64:
                self._since.clear()
            zone = self.catalogue.time_zone
            # The first moment of the cutoff date where the organization is:
            # comparing instants is the same as comparing local dates, faster.
            since = self._since[(on, leaf.years)] = datetime.combine(
                cutoff_date(on, leaf.years, zone), time(0), tzinfo=zone
            )
        return [f for f in facts if f.completed_at >= since]

    def _nested(self, leaf: _Leaf, facts: dict, on: datetime, explain: bool):
        compiled = self.nested.get(leaf.code)
        if compiled is None:
            return None
        if leaf.years is not None:
            facts = {k: self._recent(fs, leaf, on) for k, fs in facts.items()}
        return compiled.evaluate_index(facts, on, explain=explain)

    def _candidates(self, leaf: _Leaf, facts: dict, on: datetime, sub) -> list:
        if leaf.kind == "pathway":
            # A pathway counts once, however often it is named: one token, its
            # latest recorded completion, or else one worked out from modules.
            recorded = self._recent(
                list(facts.get((self.catalogue.home, "pathway", leaf.code), ())),
                leaf,
                on,
            )
            if recorded:
                return [(recorded[-1], None)]
            if sub is not None and sub.satisfied:
                token = CompletionFact(0, leaf.code, on, kind=DERIVED)
                return [(token, None)]
            return []
        found = []
        for issuer, kind, code, eq in leaf.keys:
            for fact in self._recent(facts.get((issuer, kind, code), ()), leaf, on):
                pinned = leaf.versions
                if pinned and (eq is not None or fact.version not in pinned):
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
                return True, 1.0, leaf.worth, chosen[:1]
            if nested is not None and not nested.satisfied:
                return False, nested.progress, ZERO, []
            # Not begun, or its one completion already counts elsewhere.
            return False, 0.0, ZERO, []
        if leaf.kind == "credits":
            earned, pairs = self._pool(chosen)
            minimum = leaf.node.minimum
            return (
                earned >= minimum,
                min(1.0, float(earned / minimum)) if minimum else 1.0,
                earned,
                pairs,
            )
        if not chosen:
            return False, 0.0, ZERO, []
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

    def _pool(self, chosen: list) -> tuple[Decimal, list]:
        """The credits a pool earns: each module counts once, and so does each
        completion, even one an equivalence maps to two of the pool's modules."""
        options: dict[tuple, list[tuple[str, Decimal, tuple]]] = {}
        for fact, eq in chosen:
            code = eq.counts_as if eq else fact.module_code
            credits = fact.credits or self.catalogue.credits(code)
            options.setdefault(_key((fact, eq)), []).append((code, credits, (fact, eq)))

        def best(items) -> tuple[Decimal, list]:
            top: dict[str, tuple[Decimal, tuple]] = {}
            for code, credits, pair in items:
                if code not in top or credits > top[code][0]:
                    top[code] = (credits, pair)
            return sum((c for c, _ in top.values()), ZERO), [p for _, p in top.values()]

        single = [o[0] for o in options.values() if len(o) == 1]
        several = [o for o in options.values() if len(o) > 1]
        if not several:
            return best(single)
        # Rare: a completion that could stand for several of the pool's modules.
        # Try each (there are seldom more than one or two such completions).
        found = (ZERO, [])

        def choose(i: int, items: list) -> None:
            nonlocal found
            if i == len(several):
                current = best(items)
                if current[0] > found[0]:
                    found = current
                return
            for option in several[i]:
                choose(i + 1, [*items, option])

        choose(0, single)
        return found

    def _assign(self, candidates: list[list], nested: dict) -> list[list]:
        """Share completions between leaves so none counts twice; best first."""
        if self.reuse:
            return candidates
        return best_assignment(
            candidates,
            _key,
            lambda i, pairs: self._leaf_value(self.leaves[i], pairs, nested.get(i)),
            lambda values: _score(self.root, values),
            lambda open_leaves, chosen, values: self._state(
                self.root, open_leaves, chosen, values
            ),
        )

    def _state(self, node: _Node, open_leaves, chosen, values) -> tuple:
        """A partial sharing as the rest of the search sees it: open leaves by
        what they hold, every closed subtree by its score alone, and a group's
        closed children as a sorted list (a group scores them alike in any
        order)."""
        leaf = node.leaf
        if leaf is not None:
            if leaf.index not in open_leaves:
                return values[leaf.index][:3]
            held = chosen[leaf.index]
            if leaf.kind == "credits":  # which modules it holds matters later
                return ("open", tuple(sorted(_key(p) for p in held)))
            if leaf.kind == "module":  # the best it holds is what counts
                return (
                    "open",
                    max(
                        (
                            p[0].credits or self.catalogue.credits(leaf.code)
                            for p in held
                        ),
                        default=None,
                    ),
                )
            return ("open", bool(held))
        closed, opened = [], []
        for child in node.children:
            if open_leaves.isdisjoint(child.leaf_indices):
                closed.append(_score(child, values))
            else:
                opened.append(self._state(child, open_leaves, chosen, values))
        return tuple(sorted(closed)), tuple(opened)

    # ------------------------------------------------------------- explaining

    def _explain(self, assignment, values, nested, facts, on) -> Evaluation:
        met: dict[str, int] = {}
        used: set[int] = set()
        for leaf, value in zip(self.leaves, values, strict=True):
            sub = nested.get(leaf.index)
            derived = any(fact.kind == DERIVED for fact, _ in value[3])
            for fact, eq in value[3]:
                if fact.kind == DERIVED:
                    continue
                used.add(fact.id)
                if leaf.kind == "module":
                    met[leaf.code] = fact.id
                elif leaf.kind == "credits":
                    met[eq.counts_as if eq else fact.module_code] = fact.id
            if sub is not None and (derived or not value[3]):
                used.update(sub.used)
                if derived:
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
            derived = any(f.kind == DERIVED for f, _ in pairs)
            if leaf.kind == "pathway" and sub is not None and (derived or not pairs):
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
                on_file=bool(ids) or self._on_file(leaf, facts, sub),
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
            if node.kind == "credits":
                reason = f"not yet: needs {number_text(node.minimum)} credits; "
                reason += (
                    f"you have {number_text(credits)}"
                    if credits
                    else _nothing_counts(children)
                )
            else:
                wanted = f"{node.n} of" if node.kind == "any" else "all of"
                reason = f"not yet: needs {wanted} {names}; "
                if have:
                    reason += f"you have {len(have)}"
                    if node.kind == "all":
                        reason += " (" + ", ".join(c.label for c in have) + ")"
                else:
                    reason += _nothing_counts(children)
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
            on_file=any(c.on_file for c in children),
        )

    def _on_file(self, leaf: _Leaf, facts: dict, sub) -> bool:
        """Whether anything on file names this leaf, counted here or not."""
        if leaf.kind == "pathway":
            return bool(
                facts.get((self.catalogue.home, "pathway", leaf.code))
                or (sub is not None and sub.used)
            )
        return any(facts.get((i, k, c)) for i, k, c, _eq in leaf.keys)

    def _leaf_reason(self, leaf: _Leaf, value, sub, facts, on) -> str:
        if leaf.kind == "credits":
            reason = (
                f"not yet: needs {number_text(leaf.node.minimum)} credits tagged "
                f"{leaf.node.rule['tag']}; "
            )
            if value[2]:
                return reason + f"you have {number_text(value[2])}"
            if self._on_file(leaf, facts, sub):
                return reason + (
                    "what is on file already counts toward another group or is too old"
                )
            return reason + "you have none yet"
        if leaf.kind == "external":
            if leaf.accepted is None:
                return (
                    f"not yet: no approved equivalence accepts "
                    f"{leaf.node.rule['achievement']} from {leaf.node.rule['issuer']}"
                )
            return f"not yet: needs {leaf.node.label} on file"
        if leaf.kind == "pathway":
            if (
                sub is not None
                and sub.satisfied
                or facts.get((self.catalogue.home, "pathway", leaf.code))
            ):
                return (
                    f"not yet: {leaf.node.label} already counts toward another "
                    "group, and a pathway counts once"
                )
            if sub is not None:
                return f"not yet: {round(sub.progress * 100)}% of {leaf.node.label}"
            return f"not yet: needs {leaf.node.label}"
        # A module: say why what is on file does not count, if anything is.
        zone = self.catalogue.time_zone
        cutoff = cutoff_date(on, leaf.years, zone) if leaf.years is not None else None
        on_file = [
            (f, eq)
            for issuer, kind, code, eq in leaf.keys
            for f in facts.get((issuer, kind, code), ())
        ]
        title = self.catalogue.title(leaf.code)
        name = leaf.code if title == leaf.code else f"{leaf.code} {title}"
        for fact, eq in on_file:
            if cutoff is not None and local_date(fact.completed_at, zone) < cutoff:
                return (
                    f"completed {local_date(fact.completed_at, zone):%d %b %Y}, "
                    f"more than {number_text(leaf.years)} years ago (it counts from "
                    f"{cutoff:%d %b %Y}): {name} must be retaken"
                )
            if leaf.versions and eq is not None:
                return (
                    f"{fact.module_code} of {fact.issuer} counts as {leaf.code} "
                    "through an equivalence, which does not meet a pinned version"
                )
            if leaf.versions and fact.version not in leaf.versions:
                wanted = "/".join(str(v) for v in sorted(leaf.versions))
                return f"version {fact.version} does not count; needs version {wanted}"
            if leaf.min_result is not None and (
                fact.result is None or fact.result < leaf.min_result
            ):
                minimum = number_text(leaf.min_result)
                if fact.result is None:
                    return (
                        f"no result on file (it was not graded here), and a "
                        f"minimum result of {minimum} needs one"
                    )
                got = number_text(fact.result)
                return f"result {got} is below the minimum {minimum}"
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
            return ZERO, []
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
                    ZERO,
                    kind="external",
                )
                return ZERO, [step]
            if leaf.kind == "pathway":
                sub = nested.get(leaf.index)
                if sub is None:
                    return ZERO, []
                steps = list(sub.next_steps)
                return sum((s.credits for s in steps), ZERO), steps
            # A tagged credits pool: the cheapest tagged modules not yet done.
            have = {self._code_of(p) for p in values[leaf.index][3]}
            remaining = leaf.node.minimum - values[leaf.index][2]
            options = sorted(
                (self.catalogue.credits(c), c)
                for c in leaf.tag_codes
                if c not in have and self.catalogue.credits(c) > 0
            )
            chosen, total = [], ZERO
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
            return sum((c for c, _ in chosen), ZERO), steps
        plans = [
            (self._plan(c, r, values, nested, facts, on), r, c)
            for c, r in zip(node.children, result.children, strict=True)
        ]
        open_plans = [(p, r, c) for p, r, c in plans if not r.satisfied]
        if node.kind == "all":
            steps = [s for (_, ss), _, _ in open_plans for s in ss]
            return sum((cost for (cost, _), _, _ in open_plans), ZERO), steps
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
            chosen, gained = [], ZERO
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
        return sum((cost for (cost, _), _, _ in chosen), ZERO), steps

    @staticmethod
    def _code_of(pair) -> str:
        fact, eq = pair
        return eq.counts_as if eq else fact.module_code


def _key(pair) -> tuple:
    """What counts once: a completion, or a nested pathway worked out."""
    fact = pair[0]
    if fact.kind == DERIVED:
        return (DERIVED, fact.module_code)
    return (fact.kind, fact.id)


def _nothing_counts(children: tuple[NodeResult, ...]) -> str:
    """For a group with nothing complete: what is on file toward it, if any,
    so the page never says "you have 0" beside work the learner has done."""
    counting = [c.label for c in children if c.met_by]
    elsewhere = [c.label for c in children if c.on_file and not c.met_by]
    if not counting and not elsewhere:
        return "you have none yet"
    parts = ["none is complete yet"]
    if counting:
        parts.append("counting toward it so far: " + ", ".join(counting))
    if elsewhere:
        parts.append(
            "on file but not counted here (it counts toward another group, or "
            "does not qualify): " + ", ".join(elsewhere)
        )
    return "; ".join(parts)


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


def _score(
    node: _Node, values, memo: dict | None = None
) -> tuple[bool, float, Decimal]:
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


def _group_score(node: _Node, scores: list) -> tuple[bool, float, Decimal]:
    credits = sum((s[2] for s in scores if s[0]), ZERO)
    if node.kind == "all":
        if not scores:
            return True, 1.0, ZERO
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
    progress = min(1.0, float(credits / minimum)) if minimum else 1.0
    return credits >= minimum, progress, credits


def _counts(node: _Node, values, nested, memo: dict) -> tuple[int, int]:
    """(done, required) module-sized steps on the closest plan, for "2 of 3"."""
    leaf = node.leaf
    if leaf is not None:
        sub = nested.get(leaf.index)
        pairs = values[leaf.index][3]
        if (
            leaf.kind == "pathway"
            and sub is not None
            and (not pairs or pairs[0][0].kind == DERIVED)
        ):
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
