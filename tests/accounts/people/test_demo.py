from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Invitation, Organization
from pathways import roster


def test_the_demo_admin_manages_people(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    client.login(username="ada", password="cairn-demo")
    home = client.get(reverse("home")).content.decode()
    people_url = reverse("accounts:people", args=["northfield"])
    assert f'href="{people_url}">People<' in home
    page = client.get(people_url).content.decode()
    for name in ("Lena Marsh", "Farah Haddad", "Dana Okafor"):
        assert name in page
    assert "sam.rivera@northfield.example.edu" in page
    assert "NF2026" in page  # student numbers
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert Invitation.objects.count() == 1

    sample = (settings.BASE_DIR / "docs" / "samples" / "roster.csv").read_bytes()
    plan = roster.plan_roster(Organization.objects.get(slug="northfield"), sample)
    assert plan.problems == []
    assert plan.counts["new_people"] == 5
    assert plan.counts["in_pathways"] == 3
