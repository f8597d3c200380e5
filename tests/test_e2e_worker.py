"""The whole path with a real `celery worker` process on Redis and PostgreSQL.

Nothing runs eagerly here: the services commit, the signals send tasks to Redis,
and a separate worker process evaluates pathways, signs awards and tells the
learner; the certificate is rendered when first asked for.
"""

import copy
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessments.models import ModuleCompletion
from config.celery import app as celery_app
from credentials import tasks as credential_tasks
from credentials.models import Award
from pathways import services as pathway_services
from pathways.models import PathwayCompletion
from tests import builders
from tests.conftest import broker_to_ourselves
from tests.credentials.jsverifier import verify_with_node

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.25)
    raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {what}.")


@pytest.fixture
def worker(settings, tmp_path):
    if not settings.REDIS_URL:
        pytest.fail("The end-to-end test needs REDIS_URL (make test sets it).")
    with broker_to_ourselves(settings.CELERY_BROKER_URL):
        yield from _worker(settings, tmp_path)


def _worker(settings, tmp_path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        # The test's cache namespace: a burst's marker set by the test is the
        # one its task removes (pathways.bursts, credentials issuing batches).
        "CAIRN_CACHE_NAMESPACE": settings.CAIRN_CACHE_NAMESPACE,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CONN_MAX_AGE": "0",
    }
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "-Q", "default,signing,pdf,mail,bulk,webhooks", "-n", f"e2e-{os.getpid()}@%h",
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        wait_for(
            lambda: process.poll() is not None or celery_app.control.ping(timeout=0.5),
            timeout=60,
            what="the Celery worker to answer a ping",
        )
        assert process.poll() is None, (tmp_path / "worker.log").read_text()
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_grading_to_signed_awards_and_pdfs_through_a_real_worker(worker, tmp_path):
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    learner = cast["learner"]
    pathway_services.enrol(learner, built.version)

    for task in built.tasks:
        builders.submit_and_pass(task, learner, cast["faculty"])

    # The grade recorded the completion in its own transaction, before any task ran.
    assert ModuleCompletion.objects.live().filter(learner=learner).count() == 3
    worker_log = tmp_path / "worker.log"
    awards = wait_for(
        lambda: (
            list(Award.objects.filter(learner=learner))
            if Award.objects.filter(learner=learner, notified_at__isnull=False).count()
            == 4
            else None
        ),
        timeout=240,  # generous: CI machines are sometimes busy
        what=f"4 awards told; worker log:\n{worker_log.read_text()}",
    )
    completion = PathwayCompletion.objects.get(learner=learner)
    assert completion.trace["met"].keys() == {"A-101", "B-102", "C-103"}
    assert sorted(a.kind for a in awards) == ["module", "module", "module", "pathway"]

    # Its certificate is rendered when first asked for, and kept.
    pathway_award = next(a for a in awards if a.kind == "pathway")
    assert not pathway_award.pdf
    response = Client().get(reverse("credentials:pdf", args=[pathway_award.uuid]))
    assert response.status_code == 200
    pathway_award.refresh_from_db()
    pdf_path = Path(settings.MEDIA_ROOT) / pathway_award.pdf.name
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == 1
    assert "Data pathway" in reader.pages[0].extract_text()
    assert str(pathway_award.uuid) in reader.pages[0].extract_text()

    # An independent verifier (jsonld.js + @digitalbazaar/vc) accepts what the
    # worker signed, and rejects it with one character of the name changed.
    credential = pathway_award.credential
    assert verify_with_node(credential)["verified"] is True
    tampered = copy.deepcopy(credential)
    name = tampered["credentialSubject"]["achievement"]["name"]
    tampered["credentialSubject"]["achievement"]["name"] = "X" + name[1:]
    assert verify_with_node(tampered)["verified"] is False

    # The same task delivered twice more: the database keeps one award.
    module_completion = ModuleCompletion.objects.filter(learner=learner).first()
    first = Award.objects.get(module_completion=module_completion)
    sent = [
        credential_tasks.issue_module_award.delay(module_completion.pk).id for _ in "12"
    ]
    wait_for(
        lambda: all(
            f"[{task_id}] succeeded" in worker_log.read_text() for task_id in sent
        ),
        timeout=120,
        what="both repeated deliveries to be processed",
    )
    assert Award.objects.filter(module_completion=module_completion).get() == first
    assert Award.objects.filter(learner=learner).count() == 4
