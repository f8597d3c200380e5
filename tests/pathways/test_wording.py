"""Rules in plain English (pathways/wording.py through rules.describe)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.rules import Catalogue, ModuleInfo, RuleError, describe, validate_rule

CATALOGUE = Catalogue(
    modules={
        "SHEET-101": ModuleInfo("SHEET-101", "Spreadsheet Foundations", 5, ("core",)),
        "VIZ-102": ModuleInfo("VIZ-102", "Data Visualisation", 5, ("elective",)),
        "REPORT-103": ModuleInfo(
            "REPORT-103", "Analytical Reporting", 5, ("elective",)
        ),
        "STATS-104": ModuleInfo("STATS-104", "Applied Statistics", 5, ("elective",)),
    },
    pathway_titles={"DATA-ESS": "Data Essentials"},
)
CODES = list(CATALOGUE.modules)
# What a person must never read: the rule's keys, its node types as code, or
# a module code where its title belongs.
SYNTAX = re.compile(
    r"[{}\[\]\"]|\b(type|children|min_result|within_years|versions|tag)\b\s*:?"
    r"|\bany \d+\b|" + "|".join(re.escape(c) for c in CODES)
)


def mod(code, **extra):
    return {"type": "module", "code": code, **extra}


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (mod("SHEET-101"), "Complete Spreadsheet Foundations."),
        (
            {"type": "all", "children": [mod("SHEET-101"), mod("VIZ-102")]},
            "Complete Spreadsheet Foundations and Data Visualisation.",
        ),
        (
            {
                "type": "all",
                "children": [
                    mod("SHEET-101"),
                    mod("VIZ-102"),
                    {
                        "type": "any",
                        "n": 2,
                        "children": [
                            mod("REPORT-103"),
                            mod("STATS-104"),
                            mod("VIZ-102"),
                        ],
                    },
                ],
            },
            "Complete Spreadsheet Foundations and Data Visualisation, and any two of "
            "these three: Analytical Reporting, Applied Statistics and Data "
            "Visualisation.",
        ),
        (
            {"type": "any", "n": 1, "children": [mod("VIZ-102"), mod("REPORT-103")]},
            "Complete either Data Visualisation or Analytical Reporting.",
        ),
        (
            {"type": "any", "n": 2, "children": [mod("VIZ-102"), mod("REPORT-103")]},
            "Complete both Data Visualisation and Analytical Reporting.",
        ),
        (
            {"type": "credits", "min": 10, "tag": "elective"},
            "Complete at least 10 credits from modules tagged “elective”.",
        ),
        (
            {
                "type": "credits",
                "min": 7.5,
                "children": [mod("VIZ-102"), mod("STATS-104")],
            },
            "Complete at least 7.5 credits from Data Visualisation or Applied "
            "Statistics.",
        ),
        (
            mod("SHEET-101", within_years=3),
            "Complete Spreadsheet Foundations (completed within the last 3 years).",
        ),
        (
            mod("SHEET-101", within_years=0.5),
            "Complete Spreadsheet Foundations (completed within the last 6 months).",
        ),
        (
            mod("SHEET-101", min_result=6, versions=[2, 3]),
            "Complete Spreadsheet Foundations (version 2 or 3) with a result of at "
            "least 6.",
        ),
        (
            {"type": "pathway", "code": "DATA-ESS"},
            "Complete the pathway Data Essentials.",
        ),
        (
            {"type": "external", "issuer": "Open University", "achievement": "Stats 1"},
            "Complete Stats 1 from Open University.",
        ),
        ({"type": "all", "children": []}, "Nothing is required."),
    ],
)
def test_each_kind_of_rule_reads_as_a_sentence_with_titles(rule, words):
    assert describe(rule, CATALOGUE) == words


def test_a_group_inside_a_choice_stays_one_option():
    rule = {
        "type": "any",
        "n": 1,
        "children": [
            {"type": "all", "children": [mod("SHEET-101"), mod("VIZ-102")]},
            mod("REPORT-103"),
        ],
    }
    assert describe(rule, CATALOGUE) == (
        "Complete either all of Spreadsheet Foundations and Data Visualisation or "
        "Analytical Reporting."
    )


def test_a_group_that_asks_for_more_than_it_has_says_what_to_do():
    with pytest.raises(RuleError) as refused:
        validate_rule({"type": "any", "n": 11, "children": [mod("A"), mod("B")]})
    assert str(refused.value) == (
        "This group asks for 11 of its 2 modules and can never be met: lower the "
        "number or add modules."
    )


leaves = st.builds(
    lambda code, years, minimum: (
        mod(code)
        | ({"within_years": years} if years else {})
        | ({"min_result": minimum} if minimum is not None else {})
    ),
    st.sampled_from(CODES),
    st.sampled_from([None, 1, 3, 0.5, 0.25]),
    st.sampled_from([None, 0, 6]),
) | st.just({"type": "pathway", "code": "DATA-ESS"})


def _groups(children):
    return st.one_of(
        st.lists(children, max_size=3).map(lambda c: {"type": "all", "children": c}),
        st.lists(children, min_size=1, max_size=4).flatmap(
            lambda c: st.integers(1, len(c)).map(
                lambda n: {"type": "any", "n": n, "children": c}
            )
        ),
        st.lists(children, min_size=1, max_size=3).map(
            lambda c: {"type": "credits", "min": 5, "children": c}
        ),
        st.just({"type": "credits", "min": 10, "tag": "elective"}),
    )


@settings(max_examples=300, deadline=None)
@given(st.recursive(leaves, _groups, max_leaves=8))
def test_every_rule_the_validator_accepts_reads_without_syntax_or_codes(rule):
    try:
        validate_rule(rule)
    except RuleError:
        return
    words = describe(rule, CATALOGUE)
    assert words.startswith(("Complete ", "Nothing "))
    assert words.endswith(".")
    assert not SYNTAX.search(words), words
