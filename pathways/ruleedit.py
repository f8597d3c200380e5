"""Edits to a rule tree, as the rule builder makes them: pure, on copies.

A node is addressed by its path, "0" for the root and "0.2.1" for the second
child of the root's third child (the paths of rules.NodeResult).
"""

from __future__ import annotations

import copy

from pathways.rules import RuleError

GROUPS = ("all", "any", "credits")


def _split(path: str) -> list[int]:
    try:
        parts = [int(p) for p in path.split(".")]
    except ValueError as error:
        raise RuleError(f"No such place in the rule: {path!r}.") from error
    if not parts or parts[0] != 0:
        raise RuleError(f"No such place in the rule: {path!r}.")
    return parts[1:]


def node_at(rule: dict, path: str) -> dict:
    node = rule
    for index in _split(path):
        children = node.get("children")
        if not isinstance(children, list) or not 0 <= index < len(children):
            raise RuleError(f"No such place in the rule: {path!r}.")
        node = children[index]
    return node


def _parent(rule: dict, path: str) -> tuple[dict, int]:
    parts = _split(path)
    if not parts:
        raise RuleError("The top of the rule cannot be moved or removed.")
    parent = node_at(rule, ".".join(["0", *map(str, parts[:-1])]))
    return parent, parts[-1]


def _group(rule: dict, path: str) -> dict:
    node = node_at(rule, path)
    if node.get("type") not in GROUPS or "tag" in node:
        raise RuleError("Add to a group: all, any or credits.")
    return node


def add_module(rule: dict, path: str, code: str) -> dict:
    rule = copy.deepcopy(rule)
    group = _group(rule, path)
    if not code:
        raise RuleError("Choose a module to add.")
    group["children"].append({"type": "module", "code": code})
    return rule


def add_group(rule: dict, path: str, *, kind: str, first_code: str) -> dict:
    """A new group, with its first module so that it is valid from the start."""
    if kind not in GROUPS:
        raise RuleError("A group is all, any or credits.")
    if not first_code:
        raise RuleError("Choose the group's first module.")
    rule = copy.deepcopy(rule)
    group: dict = {"type": kind, "children": [{"type": "module", "code": first_code}]}
    if kind == "any":
        group["n"] = 1
    if kind == "credits":
        group["min"] = 1
    _group(rule, path)["children"].append(group)
    return rule


def set_group(
    rule: dict,
    path: str,
    *,
    kind: str,
    n: int | None = None,
    minimum: float | None = None,
) -> dict:
    if kind not in GROUPS:
        raise RuleError("A group is all, any or credits.")
    rule = copy.deepcopy(rule)
    group = _group(rule, path)
    group["type"] = kind
    group.pop("n", None)
    group.pop("min", None)
    if kind == "any":
        group["n"] = n if n is not None else 1
    if kind == "credits":
        group["min"] = minimum if minimum is not None else 1
    return rule


def set_within_years(rule: dict, path: str, years: float | None) -> dict:
    rule = copy.deepcopy(rule)
    node = node_at(rule, path)
    if years:
        node["within_years"] = years
    else:
        node.pop("within_years", None)
    return rule


def remove(rule: dict, path: str) -> dict:
    rule = copy.deepcopy(rule)
    parent, index = _parent(rule, path)
    del parent["children"][index]
    return rule


def move(rule: dict, path: str, offset: int) -> dict:
    """Move a node up (-1) or down (+1) among its siblings."""
    rule = copy.deepcopy(rule)
    parent, index = _parent(rule, path)
    target = index + offset
    children = parent["children"]
    if not 0 <= target < len(children):
        raise RuleError("It is already at the end of its group.")
    children[index], children[target] = children[target], children[index]
    return rule


def move_into(rule: dict, path: str, group_path: str) -> dict:
    """Move a node into another group, at its end."""
    if group_path == path or group_path.startswith(path + "."):
        raise RuleError("A group cannot be moved into itself.")
    rule = copy.deepcopy(rule)
    node = node_at(rule, path)
    target = _group(rule, group_path)
    parent, index = _parent(rule, path)
    target["children"].append(node)
    parent["children"].pop(index)
    return rule


def groups(rule: dict, path: str = "0") -> list[tuple[str, dict]]:
    """Every group of the rule with its path, for "move into" choices."""
    found = []
    if rule.get("type") in GROUPS and "tag" not in rule:
        found.append((path, rule))
        for i, child in enumerate(rule.get("children", [])):
            found += groups(child, f"{path}.{i}")
    return found
