"""A broker or cache outage never turns a saved action into an error page; the
work it left undone is found in the database by the sweep once the broker is
back (docs/decisions/0012-exactly-once-issuing.md)."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Grade, ModuleCompletion
from credentials.models import Award
from pathways import services as pathway_services
from pathways.models import PathwayCompletion
from tests import builders, factories
from tests.conftest import broker_at
from tests.test_e2e_worker import wait_for, worker  # noqa: F401 - a fixture

DEAD_BROKER = "redis://127.0.0.1:9/0"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_grade_saved_while_the_broker_is_down_answers_success_and_is_issued_later(
    worker,  # noqa: F811 - the fixture
    client,
    settings,
    caplog,
):
    settings.CAIRN_SWEEP_GRACE_SECONDS = 0
    cast = builders.make_cast()
    built = builders.make_pathway(cast, codes=("A-101",))
    task, learner = built.tasks[0], cast["learner"]
    pathway_services.enrol(learner, built.version)
    submission = builders.submit(task, learner)
    client.force_login(cast["faculty"])
    levels = builders.levels_for(task, 2)
    form = {f"level_{criterion}": level for criterion, level in levels.items()}

    with broker_at(DEAD_BROKER), caplog.at_level(logging.WARNING, "cairn.tasks"):
        response = client.post(
            reverse("assessments:grade", args=[submission.pk]),
            {**form, "comment": "Good work.", "action": "finalise"},
            follow=True,
        )

    assert response.status_code == 200
    assert "errorlist" not in response.text
    assert Grade.objects.get(submission=submission).passed
    assert ModuleCompletion.objects.live().filter(learner=learner).count() == 1
    assert "Could not queue" in caplog.text
    assert not Award.objects.exists()
    assert not PathwayCompletion.objects.exists()

    # The broker is back: the sweep finds the evaluation and the award that
    # were never sent, and the worker finishes the chain.
    call_command("sweep")
    awards = wait_for(
        lambda: list(Award.objects.all()) if Award.objects.count() == 2 else None,
        timeout=180,
        what="the module and pathway awards",
    )
    assert sorted(a.kind for a in awards) == ["module", "pathway"]
    assert PathwayCompletion.objects.get().learner == learner
    # A second sweep finds nothing left to do.
    call_command("sweep")
    assert Award.objects.count() == 2


@pytest.mark.django_db
def test_login_works_while_the_cache_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": DEAD_BROKER,
        }
    }
    user = factories.UserFactory(username="ada")
    user.set_password("a long passphrase")
    user.save()

    with caplog.at_level(logging.WARNING, "accounts.ratelimit"):
        response = client.post(
            reverse("login"),
            {"username": "ada", "password": "a long passphrase"},
        )

    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)
    assert "rate limit" in caplog.text.lower()
