"""The demo extension runs on the seeded demo and is idempotent."""

from django.core.management import call_command

from accounts.models import Organization
from assessments import demo
from assessments.models import Cohort, Mark, RecognitionDecision
from tests.builders import user


def test_the_assessment_demo_extends_the_seed_and_runs_twice(db, tmp_path, settings):
    call_command("seed_demo", verbosity=0)
    organization = (
        Organization.objects.filter(memberships__user__username="ada").distinct().get()
    )
    users = {
        name: user(name)
        for name in ("dana", "riley", "farah", "ada", "lena", "liam", "lucy")
    }
    for _ in range(2):
        demo.extend_demo(organization, users)
    cohort = Cohort.objects.get(organization=organization)
    assert cohort.graders.get() == users["farah"]
    assert cohort.learners.count() == 3
    assert Mark.objects.filter(role=Mark.Role.ANCHOR).count() == 1
    assert RecognitionDecision.objects.get().decision == "declined"
