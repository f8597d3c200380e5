"""Stacking rules in plain English, with titles where the rule has codes.

Pure: a rule (the JSON tree of pathways/rules.py) and a Catalogue in, words
out. `sentence` is what people read ("Complete Spreadsheet Foundations and
Data Visualisation, and any two of these three: …"); `phrase` is the same
without the leading verb and full stop, for the engine's labels and reasons.
rules.describe is the one entry point for callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathways.rules import Catalogue

NUMBERS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def count_text(n: int) -> str:
    """Small whole numbers in words, larger ones in digits."""
    return NUMBERS[n] if 0 <= n < len(NUMBERS) else str(n)


def years_text(years) -> str:
    """ "3 years", "1 year", "6 months": a recency in words."""
    from pathways.rules import credits_of, number_text

    value = credits_of(years)
    if value != int(value):
        months = round(value * 12)
        return f"{months} month" + ("" if months == 1 else "s")
    return f"{number_text(value)} year" + ("" if value == 1 else "s")


def listing(items: list[str], *, last: str = "and") -> str:
    """ "A", "A and B", "A, B and C"; with a semicolon where an item has commas."""
    if not items:
        return "nothing"
    if len(items) == 1:
        return items[0]
    separator = "; " if any("," in item for item in items) else ", "
    return separator.join(items[:-1]) + f" {last} " + items[-1]


def sentence(rule: dict, catalogue: Catalogue) -> str:
    """The whole rule as one sentence a learner or reviewer can read."""
    if rule.get("type") == "all" and not rule.get("children"):
        return "Nothing is required."
    return "Complete " + phrase(rule, catalogue, top=True) + "."


def phrase(rule: dict, catalogue: Catalogue, *, top: bool = False) -> str:
    """The rule in words, without the leading verb: a label for a group.
    A group of several inside another reads "all of …" so that it stays one."""
    from pathways.rules import number_text

    kind = rule.get("type")
    if kind == "module":
        text = catalogue.title(rule["code"])
        if rule.get("versions"):
            versions = [str(v) for v in rule["versions"]]
            text += " (version " + listing(versions, last="or") + ")"
        if "min_result" in rule and rule["min_result"]:
            text += f" with a result of at least {number_text(rule['min_result'])}"
    elif kind == "pathway":
        title = catalogue.pathway_titles.get(rule["code"], rule["code"])
        text = f"the pathway {title}"
    elif kind == "external":
        text = f"{rule['achievement']} from {rule['issuer']}"
    elif kind == "credits":
        minimum = number_text(rule["min"])
        unit = "credit" if minimum == "1" else "credits"
        if rule.get("tag"):
            source = f"modules tagged “{rule['tag']}”"
        else:
            source = listing(
                [phrase(c, catalogue) for c in rule.get("children", [])], last="or"
            )
        text = f"at least {minimum} {unit} from {source}"
    elif kind == "any":
        children = rule.get("children", [])
        n, of = int(rule["n"]), len(children)
        parts = [phrase(c, catalogue) for c in children]
        if of == 1:
            text = parts[0]
        elif n == of:
            text = ("both " if of == 2 else "all of ") + listing(parts)
        elif of == 2:
            text = "either " + listing(parts, last="or")
        else:
            text = f"any {count_text(n)} of these {count_text(of)}: " + listing(
                parts, last="and"
            )
    else:
        children = rule.get("children", [])
        plain = [phrase(c, catalogue) for c in children if _is_leaf(c)]
        groups = [phrase(c, catalogue) for c in children if not _is_leaf(c)]
        if not children:
            text = "nothing"
        else:
            items = ([listing(plain)] if plain else []) + groups
            text = ", and ".join(items)
            if not top and (len(children) > 1 or groups):
                text = "all of " + text
    if rule.get("within_years"):
        text += f" (completed within the last {years_text(rule['within_years'])})"
    return text


def _is_leaf(rule: dict) -> bool:
    return rule.get("type") in {"module", "pathway", "external"}
