"""A design layer laid out by a real Celery worker, at the achievement's first
award, is the one a web process fetches: its first request of the
certificate lays out no design layer (credentials/certificate_store.py)."""

from dataclasses import replace

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from credentials import (
    certificate_layers,
    certificate_store,
    selectors,
    template_selectors,
)
from credentials.certificate_design import design_from_settings
from credentials.certificate_html import scaled_font_size
from credentials.certificate_layers import clear_cache, design_key
from credentials.certificate_refill import STAND_IN_NAME
from credentials.models import Award
from tests import builders
from tests.test_e2e_worker import wait_for, worker  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_web_process_fetches_the_layer_a_worker_laid_out(worker, settings):  # noqa: F811
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    award = wait_for(
        lambda: Award.objects.select_related("organization").first(),
        timeout=240,
        what="the module award",
    )
    version = template_selectors.current_version(award)
    info = replace(selectors.certificate_info(award), learner_name=STAND_IN_NAME)
    design = design_from_settings(version.settings if version else None)
    pt = scaled_font_size(STAND_IN_NAME, largest=38, smallest=22, fits=28)
    key = (*design_key(info, design), pt, 1)
    wait_for(
        lambda: certificate_store.stored(key),
        timeout=240,
        what="the worker to store the certificate's design layer",
    )

    clear_cache()  # this process never laid it out
    before = certificate_layers.layouts["design"]
    response = Client().get(reverse("credentials:pdf", args=[award.uuid]))
    assert response.status_code == 200
    award.refresh_from_db()
    text = PdfReader(award.pdf.path).pages[0].extract_text()
    assert certificate_layers.layouts["design"] == before
    assert str(award.uuid) in text
    assert award.achievement_name.split()[0] in text
