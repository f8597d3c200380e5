"""The structural diff of two versions' content, for publishing and review rounds.

Pure: plain data in (curriculum.content shapes a module, a pathway passes its rule),
a list of changes out. Items are matched by position (outcome 2, task 1 criterion 3)
so a reworded outcome reads as changed rather than as removed and added.
"""

from collections.abc import Mapping
from dataclasses import dataclass

SECTIONS = (
    "details",
    "credits",
    "outcomes",
    "alignments",
    "tasks",
    "criteria",
    "levels",
    "rules",
)
SECTION_TITLES = {
    "details": "Details",
    "credits": "Credits",
    "outcomes": "Outcomes",
    "alignments": "Alignments",
    "tasks": "Assessment tasks",
    "criteria": "Rubric criteria",
    "levels": "Rubric levels",
    "rules": "Rules",
}
DETAIL_FIELDS = {
    "title": "Title",
    "summary": "Summary",
    "criteria_narrative": "Criteria",
    "level": "Level",
    "notional_hours": "Notional hours",
    "valid_for_days": "Valid for (days)",
    "delivery_mode": "Delivery mode",
    "language": "Language",
    "badge_image": "Badge image",
}


@dataclass(frozen=True)
class Item:
    label: str
    value: str


def _named(code: str, names: Mapping[str, str]) -> str:
    """A module or pathway as people know it: its title, with its code."""
    title = names.get(code)
    return f"“{title}” ({code})" if title else code


def codes_in(content: dict | None) -> set[str]:
    """The module and pathway codes a version's content names (its rule's
    leaves and its prerequisites), for looking up their titles."""
    if not content:
        return set()
    found = set(content.get("prerequisites", []))
    stack = [content["rule"]] if content.get("rule") else []
    while stack:
        node = stack.pop()
        if node.get("code"):
            found.add(node["code"])
        stack.extend(node.get("children", []))
    return found


def _node_value(node: dict, names: Mapping[str, str]) -> str:
    """A rule node in words for a reviewer, naming modules and pathways by
    title where `names` (code → title) knows them."""
    kind = node.get("type", "?")
    count = len(node.get("children", []))
    parts = f"{count} part" + ("" if count == 1 else "s")
    if kind == "module":
        text = f"module {_named(node.get('code', '?'), names)}"
    elif kind == "pathway":
        text = f"the pathway {_named(node.get('code', '?'), names)}"
    elif kind == "any":
        text = f"any {node.get('n', '?')} of its {parts}"
    elif kind == "all":
        text = f"all of its {parts}"
    elif kind == "credits":
        source = (
            f"modules tagged “{node['tag']}”" if node.get("tag") else f"its {parts}"
        )
        text = f"at least {node.get('min', '?')} credits from {source}"
    else:
        text = kind
    words = {
        "within_years": lambda v: f"completed within the last {v} years",
        "min_result": lambda v: f"a result of at least {v}",
        "versions": lambda v: (
            "version " + " or ".join(str(x) for x in v)
            if isinstance(v, list)
            else f"version {v}"
        ),
        "reuse": lambda v: (
            "one completion may count in several groups"
            if v
            else "each completion counts once"
        ),
        "issuer": lambda v: f"from {v}",
        "achievement": lambda v: f"{v}",
    }
    extra = [
        words.get(k, lambda v, k=k: f"{k.replace('_', ' ')} {v}")(v)
        for k, v in sorted(node.items())
        if k not in {"type", "children", "code", "n", "min", "tag"}
    ]
    return text + "".join(f", {e}" for e in extra)


def _rule_items(
    node: dict, key: str, label: str, items: dict[str, Item], names: Mapping[str, str]
) -> None:
    items[key] = Item(label=f"Rule: {label}", value=_node_value(node, names))
    seen: dict[str, int] = {}
    for child in node.get("children", []):
        kind = child.get("type", "?")
        if kind == "module":
            code = child.get("code", "?")
            # The key keeps the code (stable); the label names the module.
            segment, shown = f"module {code}", f"module {_named(code, names)}"
        else:
            # Groups of the same kind are told apart by their order.
            seen[kind] = seen.get(kind, 0) + 1
            segment = shown = f"{kind} #{seen[kind]}"
        _rule_items(child, f"{key}/{segment}", f"{label} › {shown}", items, names)


def flatten(
    content: dict | None, names: Mapping[str, str] | None = None
) -> dict[str, dict[str, Item]]:
    """Every comparable item of a version, by section and stable key; `names`
    (code → title) names the modules and pathways it refers to."""
    names = names or {}
    sections: dict[str, dict[str, Item]] = {name: {} for name in SECTIONS}
    if not content:
        return sections
    for name, title in DETAIL_FIELDS.items():
        if name in content:
            value = content[name]
            sections["details"][name] = Item(title, "" if value is None else str(value))
    if "prerequisites" in content:
        sections["details"]["prerequisites"] = Item(
            "Prerequisites",
            ", ".join(_named(code, names) for code in content["prerequisites"])
            or "none",
        )
    if "credits" in content:
        sections["credits"]["credits"] = Item("Credits", str(content["credits"]))
    for outcome in content.get("outcomes", []):
        n = outcome["position"]
        proficiency = outcome.get("proficiency_level")
        sections["outcomes"][f"o{n}"] = Item(
            f"Outcome {n}",
            outcome["statement"]
            + (f" (at {proficiency} level)" if proficiency else ""),
        )
        for competency in outcome.get("competencies", []):
            ref = competency.get("uri") or competency.get("statement", "")
            sections["alignments"][f"o{n}|{ref}"] = Item(
                f"Outcome {n} aligned to", competency.get("statement") or ref
            )
    for task in content.get("tasks", []):
        t = task["position"]
        policy = []
        if task.get("pass_min_total") is not None:
            policy.append(f"at least {task['pass_min_total']} points")
        if task.get("pass_min_level") is not None:
            policy.append(f"at least level {task['pass_min_level'] + 1} everywhere")
        sections["tasks"][f"t{t}"] = Item(
            f"Task {t}",
            f"{task['title']} (pass with {' and '.join(policy) or 'no policy'}; "
            f"{task.get('max_attempts', '?')} attempts)",
        )
        for criterion in task.get("criteria", []):
            c = criterion["position"]
            outcomes = ", ".join(str(o) for o in criterion.get("outcomes", []))
            sections["criteria"][f"t{t}c{c}"] = Item(
                f"Task {t} criterion {c}",
                criterion["name"] + (f" (outcomes {outcomes})" if outcomes else ""),
            )
            for level in criterion.get("levels", []):
                v = level["position"]
                sections["levels"][f"t{t}c{c}l{v}"] = Item(
                    f"Task {t} criterion {c} ({criterion['name']}) level {v + 1}",
                    f"{level['name']}, {level['points']} points"
                    + (f": {level['descriptor']}" if level.get("descriptor") else ""),
                )
    if content.get("rule"):
        root = content["rule"]
        _rule_items(root, "root", root.get("type", "?"), sections["rules"], names)
    return sections


def diff_content(
    old: dict | None, new: dict, names: Mapping[str, str] | None = None
) -> list[dict]:
    """What changed from old to new: added, removed and changed items, in section
    order. With no old version everything is new, so the list is empty."""
    if old is None:
        return []
    before, after = flatten(old, names), flatten(new, names)
    changes = []
    for section in SECTIONS:
        a, b = before[section], after[section]
        for key, item in b.items():
            if key not in a:
                changes.append(_change(section, "added", item.label, None, item.value))
            elif a[key].value != item.value:
                changes.append(
                    _change(section, "changed", item.label, a[key].value, item.value)
                )
        for key, item in a.items():
            if key not in b:
                changes.append(
                    _change(section, "removed", item.label, item.value, None)
                )
    return changes


def _change(section, change, label, before, after) -> dict:
    return {
        "section": section,
        "change": change,
        "item": label,
        "before": before,
        "after": after,
    }


def summarise(changes: list[dict]) -> dict[str, dict[str, int]]:
    """How many items each section added, removed and changed."""
    counts: dict[str, dict[str, int]] = {}
    for change in changes:
        section = counts.setdefault(
            change["section"], {"added": 0, "removed": 0, "changed": 0}
        )
        section[change["change"]] += 1
    return counts


def grouped(changes: list[dict]) -> list[tuple[str, list[dict]]]:
    """Changes grouped under readable section titles, for templates."""
    groups: dict[str, list[dict]] = {}
    for change in changes:
        groups.setdefault(change["section"], []).append(change)
    return [(SECTION_TITLES.get(s, s), groups[s]) for s in SECTIONS if s in groups]
