"""The main navigation follows the user's roles."""

import re

import pytest
from django.urls import reverse

LINKS = {
    "Frameworks": "curriculum:framework-list",
    "Curriculum": "curriculum:module-list",
    "Grading": "assessments:queue",
    "Reviews": "reviews:dashboard",
    "My plan": "pathways:planner",
}


def _nav_links(html: str) -> set[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return {name for name, url in LINKS.items() if f'href="{reverse(url)}"' in nav}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("learner", {"My plan"}),
        ("faculty", {"Frameworks", "Grading"}),
        ("designer", {"Frameworks", "Curriculum", "Reviews"}),
        ("reviewer", {"Frameworks", "Reviews"}),
        ("admin", {"Frameworks", "Curriculum", "Grading", "Reviews"}),
    ],
)
def test_each_role_sees_the_links_of_its_work(client, cast, role, expected):
    client.force_login(cast[role])
    html = client.get(reverse("curriculum:catalogue")).text
    assert _nav_links(html) == expected
    issuer = reverse("credentials:issuer", args=[cast.organization.slug])
    assert (f'href="{issuer}">Issuer<' in html) == (role == "admin")


def test_visitors_see_the_public_links(client, db):
    html = client.get(reverse("curriculum:catalogue")).text
    assert _nav_links(html) == {"Frameworks"}
    assert "Log in" in html
