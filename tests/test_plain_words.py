"""Learners and reviewers never read a rule's syntax or an internal code.

The crawler signs in as the demo's learners and reviewer, follows every
same-site link reachable from their home page (GET only, bounded) and reads
each page's visible text for rule syntax and module codes standing where a
title belongs.
"""

import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from curriculum.models import Module

# The keys and words of the rule JSON (pathways/rules.py), as a person would
# see them on a page: "type": "any", min_result, within_years, { "children" ...
SYNTAX = [
    re.compile(r'"type"\s*:\s*"(module|pathway|external|all|any|credits)"'),
    re.compile(r'"(children|within_years|min_result|versions|tag|n|min|op)"\s*:'),
    re.compile(r"\b(min_result|within_years|min_credits)\b"),
    re.compile(r"'(any|all) \d+'|\bany \d+ of\b"),
]
# Developer words a learner should not meet.
JARGON = re.compile(r"\bCTDL\b|JSON-LD|\bJSON\b")
SKIP = re.compile(r"/logout|/accounts/logout|/admin/|/api/|\.(json|pdf|png|svg|csv)$")
LIMIT = 150


class _Text(HTMLParser):
    """The visible text of a page (no script, style or attributes)."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self.link_texts, self._hidden = [], [], [], 0
        self._in_link = False
        # A signed credential shown as data (<pre>) is read for rule syntax
        # only: its codes are the data.
        self._data, self.data_parts = 0, []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style", "template"}:
            self._hidden += 1
        if tag == "pre":
            self._data += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
            self._in_link = True
            self.link_texts.append("")

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = False
        if tag in {"script", "style", "template"} and self._hidden:
            self._hidden -= 1
        if tag == "pre" and self._data:
            self._data -= 1

    def handle_data(self, data):
        if self._data:
            self.data_parts.append(data)
        elif not self._hidden:
            self.parts.append(data)
            if self._in_link:
                self.link_texts[-1] += data

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def problems_in(
    text: str, titles: dict[str, str], links: tuple[str, ...] = ()
) -> list[str]:
    """Rule syntax, module codes not beside their title, and links named in
    developer words ("JSON", "CTDL JSON-LD")."""
    found = [m.group(0) for pattern in SYNTAX for m in pattern.finditer(text)]
    found += [f"a link {link!r}" for link in links if JARGON.search(link)]
    for code, title in titles.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            # A code may stand beside its title as a reference ("SHEET-101 v1:
            # Spreadsheet Foundations", "Spreadsheet Foundations · SHEET-101").
            around = text[
                max(0, m.start() - len(title) - 40) : m.end() + len(title) + 40
            ]
            if title not in around:
                found.append(f"{code} without {title!r}: …{around}…")
    return found


def crawl(client, start: str = "/") -> dict[str, tuple]:
    """Visible text, text shown as data, and link texts of every page
    reachable from start."""
    seen, pages, queue = {start}, {}, deque([start])
    while queue and len(pages) < LIMIT:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, path
        if response.status_code != 200 or "text/html" not in response.get(
            "Content-Type", ""
        ):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        links = tuple(t.strip() for t in parser.link_texts)
        pages[path] = (parser.text, " ".join(parser.data_parts), links)
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if SKIP.search(parts.path) or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return pages


def test_problems_in_catches_syntax_and_bare_codes():
    titles = {"VIZ-102": "Data Visualisation"}
    assert problems_in('{"type": "any", "n": 1}', titles)
    assert problems_in('{"children": []}', titles)
    # A signed credential shown as data is not a rule.
    assert not problems_in('{"type": ["VerifiableCredential"], "issuer": {}}', titles)
    assert problems_in("any 1 of VIZ-102, REPORT-103 (within_years 3)", titles)
    assert problems_in("", titles, links=("JSON",))
    assert problems_in("", titles, links=("CTDL JSON-LD",))
    assert not problems_in("", titles, links=("Download for a wallet",))
    assert not problems_in("Complete Data Visualisation within 3 years.", titles)
    assert not problems_in("VIZ-102 Data Visualisation: 5 credits", titles)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    return {
        m.code: m.versions.order_by("-number").first().title
        for m in Module.objects.all()
    }


@pytest.mark.parametrize("username", ["lena", "liam", "lucy", "riley"])
def test_no_page_a_learner_or_reviewer_reaches_shows_rule_syntax(
    client, demo, username
):
    client.force_login(get_user_model().objects.get(username=username))
    pages = crawl(client)
    assert len(pages) > 5
    found = {
        path: problems
        for path, (text, data, links) in pages.items()
        if (problems := problems_in(text, demo, links) + problems_in(data, {}))
    }

    assert found == {}
