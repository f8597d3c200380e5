"""Every link a demo login or a visitor is shown opens for them: each follows
the links of its pages (same site, GET: href, src and hx-get) from home, and
none answers with an error. On the way, each page's ids are checked: none
given twice, and every label, ARIA reference and datalist names one that
exists (else a screen reader reads the wrong field's name, or none).
A link to a page the person may not use (a 403), that does not exist for them
(a 404) or that refuses its own query (a 400) is a dead end in the product.
Crawling the demo this way found a faculty member's calibration anchor that
was a 404, a draft's history link, the single sign-on page's audit-trail link,
links shown to roles that could not follow them, and ids used twice."""

import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from credentials.models import Award

DEMO_LOGINS = ("dana", "riley", "farah", "omar", "ada", "lena", "liam", "lucy")
PAGES_EACH = 400  # ada reaches about 325; the others 36 to 100
HREF = re.compile(r'(?:href|src|hx-get)="([^"#]+)"')
ID = re.compile(r'\sid="([^"]+)"')
REFERENCES = re.compile(
    r'<label[^>]*\sfor="([^"]+)"'
    r'|\s(?:aria-labelledby|aria-describedby|aria-controls|list)="([^"]+)"'
)
# Not pages: what a link downloads or what signs out.
SKIPPED = ("/static/", "/logout", "/accounts/logout")


def links(path: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urlsplit(urljoin(f"http://testserver{path}", href.replace("&amp;", "&")))
        if url.netloc != "testserver" or url.path.startswith(SKIPPED):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def id_problems(html: str) -> list[str]:
    ids = Counter(ID.findall(html))
    known = set(ids)
    problems = [f"id {i} used {n} times" for i, n in sorted(ids.items()) if n > 1]
    for label_for, aria in REFERENCES.findall(html):
        for name in (label_for or aria).split():
            if name not in known:
                problems.append(f"{name} named but no element has that id")
    return problems


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    capsys.readouterr()  # the logins and sample mail it prints


def crawl(client, who: str, starts: list[str], dead_ends: list, misnamed: dict):
    """Follow the links from `starts` as the client is signed in; what was
    seen. Dead ends and id problems are added to the lists given."""
    seen, waiting = set(), list(starts)
    while waiting and len(seen) < PAGES_EACH:
        path = waiting.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        if response.status_code >= 400:
            dead_ends.append((who, path, response.status_code))
            continue
        if response.get("Content-Type", "").startswith("text/html"):
            waiting += [p for p in links(path, response.text) if p not in seen]
            problems = id_problems(response.text)
            if problems:
                misnamed[path.split("?")[0]] = problems
    return seen


def test_every_link_a_demo_login_or_a_visitor_is_shown_opens_for_them(client, demo):
    dead_ends, misnamed = [], {}
    for username in DEMO_LOGINS:
        client.force_login(get_user_model().objects.get(username=username))
        seen = crawl(client, username, ["/"], dead_ends, misnamed)
        assert len(seen) > 10, f"{username} reached only {sorted(seen)}"
        client.logout()
    # A visitor: home, and the public pages of credentials shared with them.
    shared = [award.get_absolute_url() for award in Award.objects.all()[:3]]
    seen = crawl(client, "visitor", ["/", *shared], dead_ends, misnamed)
    assert len(seen) > 10, f"a visitor reached only {sorted(seen)}"
    assert dead_ends == []
    assert misnamed == {}
