"""A web process made ready for certificates when it starts (issue 17: a first
request within 200 ms): the process's first layout paid with a sample, the
layers of recently awarded achievements laid out ahead of their first request,
and learners graded differently sharing one design layer where the design does
not show their rubric results. Layouts are counted, not timed; the pages stay
the same."""

import gc
import weakref
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from credentials import certificate_layers, certificate_refill, certificate_warmup
from credentials.certificate_design import DEFAULT_DESIGN
from credentials.certificate_layers import cached_layers, clear_cache
from credentials.certificates import render_certificate_pdf
from credentials.services.rendering import warm_at_start, warm_certificates
from tests import builders
from tests.credentials.test_certificate_layers import DESIGNED, GRADED, undated
from tests.credentials.test_certificates import TYPICAL


def layouts() -> dict[str, int]:
    return dict(certificate_layers.layouts)


@pytest.mark.django_db
def test_a_warmed_process_answers_a_recent_achievements_first_request_without_a_layout(
    issued, client: Client
):
    certificate_warmup.warm_process()
    clear_cache()
    assert warm_certificates(8) == 1  # the one achievement awarded
    before = layouts()

    response = client.get(reverse("credentials:pdf", args=[issued.uuid]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # Refilled and written: neither the design's layer nor the learner's laid out.
    assert layouts() == before


@pytest.mark.django_db
def test_warming_prepares_each_recent_achievement_once_and_no_more_than_asked(
    cast, pathway, django_capture_on_commit_callbacks
):
    learners = [cast["learner"], cast["other_learner"]]
    with django_capture_on_commit_callbacks(execute=True):
        for task in pathway.tasks[:2]:
            for learner in learners:
                builders.submit_and_pass(task, learner, cast["faculty"])
    certificate_warmup.warm_process()
    clear_cache()
    before = layouts()

    assert warm_certificates(1) == 1
    assert layouts()["design"] - before.get("design", 0) == 1
    clear_cache()
    # Two achievements awarded twice each: two prepared, not four.
    assert warm_certificates(8) == 2
    assert cached_layers() == 2
    assert certificate_refill.kept_layers() == 2


def test_a_prepared_certificate_is_the_one_a_cold_process_renders():
    # Names a kept learner's layer is refilled with (a name on two lines is
    # laid out, prepared or not: tests/credentials/test_certificate_refill.py).
    typical = replace(TYPICAL, learner_name="Lena Marsh")
    graded = replace(GRADED, learner_name="Tomás Ferreira")
    for info, design in ((typical, DEFAULT_DESIGN), (graded, DESIGNED)):
        clear_cache()
        cold = render_certificate_pdf(info, design)
        # A cold deployment: no layer stored by another process either.
        clear_cache()
        cache.clear()
        # Laid out here, not fetched.
        assert certificate_warmup.prepare(
            replace(info, learner_name="Someone Else"), design
        )
        before = layouts()
        prepared = render_certificate_pdf(info, design)
        assert layouts() == before
        assert undated(prepared) == undated(cold)


def test_warming_the_process_keeps_none_of_its_sample(monkeypatch):
    monkeypatch.setattr(certificate_warmup, "_warmed", False)
    clear_cache()
    before = layouts()

    assert certificate_warmup.warm_process()

    # The sample laid out in each bundled font, then forgotten.
    laid_out = layouts()["design"] - before.get("design", 0)
    assert laid_out == len(certificate_warmup.SAMPLE_DESIGNS)
    assert cached_layers() == 0
    assert certificate_refill.kept_layers() == 0
    assert not certificate_warmup.warm_process()  # once per process


def test_learners_graded_differently_share_the_design_layer_that_hides_results():
    clear_cache()
    graded = replace(GRADED, learner_name="Tomás Ferreira")
    other = replace(
        GRADED, learner_name="Priya Raman", rubric_results=("Analysis: Developing",)
    )
    hidden = DEFAULT_DESIGN  # shows no rubric results
    assert not hidden.shows("rubric_results")
    before = layouts()
    first = render_certificate_pdf(graded, hidden)
    second = render_certificate_pdf(other, hidden)
    assert layouts()["design"] - before.get("design", 0) == 1
    assert layouts()["learner"] - before.get("learner", 0) == 1
    clear_cache()
    assert undated(render_certificate_pdf(other, hidden)) == undated(second)
    assert undated(render_certificate_pdf(graded, hidden)) == undated(first)

    # A design that shows them lays out a design layer for each.
    clear_cache()
    before = layouts()
    render_certificate_pdf(graded, DESIGNED)
    render_certificate_pdf(other, DESIGNED)
    assert layouts()["design"] - before.get("design", 0) == 2


@pytest.mark.django_db
def test_a_web_process_warms_at_start_as_the_setting_says(
    issued, settings, monkeypatch, unfrozen
):
    monkeypatch.setattr(certificate_warmup, "_warmed", False)
    clear_cache()
    settings.CAIRN_CERTIFICATE_WARMUP = -1
    warm_at_start()
    assert not certificate_warmup._warmed
    assert cached_layers() == 0
    assert gc.get_freeze_count() == 0

    settings.CAIRN_CERTIFICATE_WARMUP = 8
    warm_at_start()
    assert certificate_warmup._warmed
    assert cached_layers() == 1  # the achievement awarded
    # What it holds then is out of full collections' way.
    assert gc.get_freeze_count() > 0


class Cycle:
    def __init__(self):
        self.me = self


def test_the_heap_set_aside_is_out_of_full_collections_and_the_rest_collected(
    unfrozen,
):
    held = Cycle()
    frozen = certificate_warmup.set_heap_aside()
    assert frozen == gc.get_freeze_count() > 0
    tracked = {id(obj) for obj in gc.get_objects()}
    # What the process held is no longer walked by a collection...
    assert id(held) not in tracked
    assert len(tracked) < frozen
    # ...and what it makes since is, and its garbage still collected.
    made = Cycle()
    assert any(obj is made for obj in gc.get_objects())
    gone = weakref.ref(made)
    del made
    gc.collect()
    assert gone() is None
