from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Organization
from pathways.demo import extend_demo
from pathways.models import Enrolment, Equivalence, PathwayVersion


def test_the_stacking_demo_extends_the_seed_once(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    organization = Organization.objects.get(slug="northfield")
    users = {u.username: u for u in get_user_model().objects.all()}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            extend_demo(organization, users)
    essentials = PathwayVersion.objects.get(pathway__code="DATA-ESS")
    assert essentials.status == "published"
    assert set(
        Enrolment.objects.filter(version=essentials).values_list(
            "learner__username", flat=True
        )
    ) == {"liam", "lucy"}
    assert Equivalence.objects.approved().count() == 1
