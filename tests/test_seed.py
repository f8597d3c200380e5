from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments.models import Submission
from credentials.models import Award
from pathways.models import Enrolment, PathwayCompletion


def test_the_demo_has_every_role_and_three_stages_and_loads_once(
    db, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    printed = capsys.readouterr().out
    for username in ("dana", "riley", "farah", "ada", "lena", "liam", "lucy"):
        assert username in printed
    assert "cairn-demo" in printed

    assert PathwayCompletion.objects.get().learner.username == "lena"
    assert Award.objects.filter(learner__username="lena").count() == 4
    assert all(a.pdf for a in Award.objects.all())
    assert Award.objects.filter(learner__username="liam").count() == 1
    assert (
        Submission.objects.filter(status="submitted").get().learner.username == "liam"
    )
    # Three enrolments in the main pathway, and two in the overlapping one.
    assert Enrolment.objects.filter(version__pathway__code="DATA-PATH").count() == 3
    assert Enrolment.objects.count() == 5

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert get_user_model().objects.count() == 7
    assert Award.objects.count() == 5
