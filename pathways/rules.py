"""Stacking rules: a pure evaluation of (rule, completions, date).

A rule is a JSON tree. The foundation supports the nodes a first pathway needs:

    {"type": "module", "code": "XL-101"}
    {"type": "all", "children": [...]}
    {"type": "any", "n": 2, "children": [...]}

No ORM here: the same function runs in a request, a worker or a bulk job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


class RuleError(ValueError):
    """A rule tree that cannot be evaluated, with the reason in words."""


@dataclass(frozen=True)
class CompletionFact:
    """What the engine needs to know about one module completion."""

    id: int
    module_code: str
    completed_at: datetime


@dataclass(frozen=True)
class Evaluation:
    satisfied: bool
    met: dict[str, int] = field(default_factory=dict)  # module code -> completion id
    missing: tuple[str, ...] = ()  # module codes still needed
    required: int = 0  # how many module nodes must be met
    done: int = 0  # how many of those are met

    @property
    def progress(self) -> float:
        return 1.0 if not self.required else self.done / self.required


def module_codes(rule: dict) -> list[str]:
    """Every module code named in the rule, in order of appearance."""
    kind = rule.get("type")
    if kind == "module":
        return [rule["code"]]
    return [code for child in rule.get("children", []) for code in module_codes(child)]


def validate_rule(rule: dict) -> None:
    kind = rule.get("type")
    if kind == "module":
        if not rule.get("code"):
            raise RuleError("A module node needs a module code.")
        return
    if kind not in {"all", "any"}:
        raise RuleError(f"Unknown rule node {kind!r}: use module, all or any.")
    children = rule.get("children")
    if not isinstance(children, list):
        raise RuleError(f"An {kind!r} node needs a list of children.")
    if kind == "any":
        n = rule.get("n")
        if not isinstance(n, int) or n < 1:
            raise RuleError("An 'any' node needs n, a whole number of at least 1.")
        if n > len(children):
            raise RuleError(
                f"'any {n}' can never be met: it has only {len(children)} children."
            )
    for child in children:
        validate_rule(child)


def evaluate(
    rule: dict, completions: Iterable[CompletionFact], on: datetime
) -> Evaluation:
    """Is the rule satisfied by these completions on this date, and how far along?"""
    validate_rule(rule)
    latest: dict[str, CompletionFact] = {}
    for fact in completions:
        if fact.completed_at > on:
            continue
        known = latest.get(fact.module_code)
        if known is None or fact.completed_at > known.completed_at:
            latest[fact.module_code] = fact
    return _evaluate(rule, latest)


def _evaluate(rule: dict, latest: dict[str, CompletionFact]) -> Evaluation:
    kind = rule["type"]
    if kind == "module":
        fact = latest.get(rule["code"])
        if fact is None:
            return Evaluation(False, missing=(rule["code"],), required=1)
        return Evaluation(True, met={rule["code"]: fact.id}, required=1, done=1)
    results = [_evaluate(child, latest) for child in rule["children"]]
    if kind == "all":
        needed = results
    else:
        # Count the n children closest to done toward progress.
        ranked = sorted(results, key=lambda r: (not r.satisfied, -r.progress))
        needed = ranked[: rule["n"]]
    met: dict[str, int] = {}
    for result in results:
        met.update(result.met)
    return Evaluation(
        satisfied=all(r.satisfied for r in needed),
        met=met,
        missing=tuple(code for r in needed for code in r.missing),
        required=sum(r.required for r in needed),
        done=sum(r.done for r in needed),
    )
