"""Design layers shared by every process (credentials/certificate_store.py): a
layer laid out in one process is fetched, not laid out, by another; an
achievement's first award queues its layout on the PDF queue; the cache failing
never fails a certificate; a worker that renders certificates starts warm.

clear_cache() forgets this process's layers, as a new process starts with none;
the shared cache (Redis, the test's own namespace) is what a new process finds.
"""

from dataclasses import replace

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.celery import app as celery_app
from config.celery import queue_backlog
from credentials import certificate_layers, certificate_store, certificate_warmup
from credentials import tasks as credential_tasks
from credentials.certificate_design import DEFAULT_DESIGN
from credentials.certificate_layers import cached_layers, clear_cache
from credentials.certificates import render_certificate_pdf
from credentials.models import Award
from credentials.services import rendering
from tests import builders
from tests.conftest import broker_at, broker_to_ourselves
from tests.credentials.test_certificate_layers import DESIGNED, GRADED, undated, words
from tests.credentials.test_certificates import TYPICAL

LENA = replace(TYPICAL, learner_name="Lena Marsh")


def design_layouts() -> int:
    return certificate_layers.layouts["design"]


def test_a_layer_laid_out_in_one_process_is_fetched_by_another(settings):
    tomas = replace(GRADED, learner_name="Tomás Ferreira")
    for info, design in ((LENA, DEFAULT_DESIGN), (tomas, DESIGNED)):
        cache.clear()
        clear_cache()
        before = design_layouts()
        laid_out = render_certificate_pdf(info, design)
        assert design_layouts() == before + 1

        clear_cache()  # another process: none of this one's layers
        fetched = render_certificate_pdf(info, design)

        assert design_layouts() == before + 1  # fetched, not laid out
        assert len(stored_layers(settings)) == 1
        assert cached_layers() == 1  # and kept in this process
        assert undated(fetched) == undated(laid_out)
        text = words(fetched)
        assert info.learner_name.split()[-1] in text
        assert info.credential_id in text


def test_another_achievement_or_design_is_laid_out_not_fetched():
    # A name on one line: a long one lays out the layer of two lines too.
    cache.clear()
    clear_cache()
    render_certificate_pdf(LENA, DEFAULT_DESIGN)
    clear_cache()
    before = design_layouts()
    other = replace(LENA, achievement_name="Another Achievement")
    pdf = render_certificate_pdf(other, DEFAULT_DESIGN)
    render_certificate_pdf(LENA, DESIGNED)
    assert design_layouts() == before + 2
    assert "Another" in words(pdf)


def test_a_layer_is_stored_under_the_code_and_libraries_that_laid_it_out(
    monkeypatch,
):
    key = ("a design", "a certificate's text", 38, 1)
    first = certificate_store.store_key(key)
    assert first == certificate_store.store_key(key)
    monkeypatch.setattr(certificate_store, "STORE_FORMAT", 2)
    certificate_store.environment.cache_clear()
    try:
        assert certificate_store.store_key(key) != first
    finally:
        monkeypatch.undo()
        certificate_store.environment.cache_clear()
    assert certificate_store.store_key(key) == first


def test_a_cache_that_is_down_leaves_certificates_laid_out(monkeypatch, caplog):
    # Nothing listens on port 9: every read and write of the cache fails.
    monkeypatch.setattr(
        certificate_store, "shared_cache", RedisCache("redis://127.0.0.1:9/0", {})
    )
    clear_cache()
    before = design_layouts()
    pdf = render_certificate_pdf(TYPICAL, DEFAULT_DESIGN)
    assert design_layouts() == before + 1
    assert pdf.startswith(b"%PDF-")
    assert TYPICAL.credential_id in words(pdf)
    assert "could not read the cache" in caplog.text
    assert "could not write the cache" in caplog.text


def stored_layers(settings) -> list:
    client = cache._cache.get_client()
    pattern = f"{settings.CAIRN_CACHE_NAMESPACE}:*certificate-layer:*"
    return list(client.scan_iter(match=pattern))


def test_warming_a_process_neither_fetches_nor_stores_its_sample(monkeypatch, settings):
    cache.clear()
    monkeypatch.setattr(certificate_warmup, "_warmed", False)
    clear_cache()
    before = design_layouts()
    certificate_warmup.warm_process()
    # Laid out, to pay the process's first layout, and stored for nobody.
    samples = len(certificate_warmup.SAMPLE_DESIGNS)
    assert design_layouts() == before + samples
    assert stored_layers(settings) == []
    monkeypatch.setattr(certificate_warmup, "_warmed", False)
    certificate_warmup.warm_process()  # a second process: laid out again
    assert design_layouts() == before + 2 * samples


@pytest.mark.django_db
def test_the_layer_task_stores_the_layer_a_first_request_then_fetches(
    issued, client: Client
):
    cache.clear()
    clear_cache()
    before = design_layouts()

    assert credential_tasks.render_certificate_layers(issued.pk) is True
    assert design_layouts() == before + 1
    # Stored already: a second run (another worker) lays nothing out.
    clear_cache()
    assert credential_tasks.render_certificate_layers(issued.pk) is False
    assert design_layouts() == before + 1

    clear_cache()  # the web process, which never saw the achievement
    response = client.get(reverse("credentials:pdf", args=[issued.uuid]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert body.startswith(b"%PDF-")
    assert design_layouts() == before + 1
    assert str(issued.uuid) in words(body)
    assert issued.achievement_name.split()[0] in words(body)


@pytest.mark.django_db
def test_each_award_issued_is_announced_for_its_layers(
    cast, pathway, django_capture_on_commit_callbacks, monkeypatch
):
    announced = []
    monkeypatch.setattr(
        rendering,
        "queue_certificate_layers",
        lambda award_id, achievement: announced.append((award_id, achievement)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        builders.submit_and_pass(pathway.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    # With what names its achievement: the receiver need not read the award.
    assert announced == [
        (award.pk, (award.organization_id, "module", award.achievement_name))
    ]


@pytest.mark.django_db
def test_an_achievements_first_award_queues_its_layers_once(
    cast, pathway, django_capture_on_commit_callbacks, monkeypatch, settings
):
    learners = [cast["learner"], cast["other_learner"]]
    with django_capture_on_commit_callbacks(execute=True):
        for learner in learners:
            builders.submit_and_pass(pathway.tasks[0], learner, cast["faculty"])
        builders.submit_and_pass(pathway.tasks[1], learners[0], cast["faculty"])
    first, second, other = Award.objects.order_by("pk")
    monkeypatch.setattr(rendering, "_layers_queued", {})
    url = settings.CELERY_BROKER_URL
    with broker_to_ourselves(url), broker_at(url):
        purge_pdf_queue()
        try:
            assert rendering.queue_certificate_layers(first.pk)
            # The same achievement again, as issuing announces it: not queued
            # (this process knows).
            announced = (second.organization_id, "module", second.achievement_name)
            with CaptureQueriesContext(connection) as queries:
                assert not rendering.queue_certificate_layers(
                    second.pk, achievement=announced
                )
            assert len(queries) == 0
            assert not rendering.queue_certificate_layers(second.pk)
            # Another process finds the deployment's marker in the cache.
            monkeypatch.setattr(rendering, "_layers_queued", {})
            assert not rendering.queue_certificate_layers(second.pk)
            assert queue_backlog("pdf") == 1
            # Another achievement is queued.
            assert rendering.queue_certificate_layers(other.pk)
            assert queue_backlog("pdf") == 2
        finally:
            purge_pdf_queue()


def purge_pdf_queue() -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge("pdf")


@pytest.mark.django_db
def test_no_layers_are_queued_where_tasks_run_in_process(issued, monkeypatch):
    # Eager tasks would lay the layer out in the request that issued the award.
    monkeypatch.setattr(rendering, "_layers_queued", {})
    assert celery_app.conf.task_always_eager
    assert not rendering.queue_certificate_layers(issued.pk)


def test_a_worker_consuming_the_pdf_queue_starts_warm(monkeypatch):
    monkeypatch.setattr(certificate_warmup, "_warmed", False)
    rendering.warm_worker({"signing": None, "mail": None})
    assert not certificate_warmup._warmed
    rendering.warm_worker({"signing": None, "pdf": None})
    assert certificate_warmup._warmed
