"""A process made ready for certificates before its first request. Pure: no ORM.

A process's first certificate cost 250–290 ms of CPU where a first certificate
of another achievement in the same process cost 60 ms: most of it was the
process's first layout and write, whatever the design (compiling the page's
Django templates, fontconfig and Pango loading each font's faces, cffi parsing
the C types of HarfBuzz's subsetter, the first font subset). warm_process()
pays that once, with a sample certificate in each bundled font, and keeps
nothing of the sample (neither fetched from nor stored in the shared cache of
design layers, credentials/certificate_store.py, whose client it makes).
prepare() lays out a real certificate's two layers
(credentials/certificate_layers.py) ahead of its first request, as that request
would, so that it only refills and writes. The caches stay bounded
(certificate_layers.CACHE_SIZE, certificate_refill.CACHE_SIZE): warming adds
entries to them as requests do. set_heap_aside() then takes what the process
holds at start out of the garbage collector's full collections.
"""

import gc
import logging
import time
from dataclasses import replace
from datetime import date

from credentials import certificate_refill, certificate_store
from credentials.certificate_design import DEFAULT_DESIGN, FONTS, CertificateDesign
from credentials.certificate_html import CertificateInfo, scaled_font_size
from credentials.certificate_layers import (
    design_layer,
    forget,
    kept_learner_layer,
    layouts,
)
from credentials.certificates import render_certificate_pdf

logger = logging.getLogger(__name__)

# Every part of the page a design may show, so that every face is used.
SAMPLE = CertificateInfo(
    learner_name="Sample Learner",
    achievement_name="Sample Achievement",
    achievement_kind="Module",
    organization_name="Sample Organization",
    issued_on=date(2026, 1, 1),
    credential_id="00000000-0000-4000-8000-000000000000",
    verify_url="https://cairn.invalid/credentials/00000000-0000-4000-8000-000000000000/",
    credential_json=b"{}",
    description="A sample certificate laid out when the process starts.",
    outcomes=("SAMPLE-1: An outcome", "SAMPLE-2: Another outcome"),
    level="EQF 5",
    credits="15 credits",
    valid_until=date(2030, 1, 1),
    rubric_results=("Criterion: Level",),
)
# The designs the sample is rendered in: the built-in one in each bundled font.
SAMPLE_DESIGNS = tuple(replace(DEFAULT_DESIGN, font=font) for font in FONTS)

_warmed = False


def warm_process() -> bool:
    """Render the sample certificate in each bundled font once per process and
    forget its layers; False when the process was warmed before."""
    global _warmed
    if _warmed:
        return False
    start = time.process_time()
    with certificate_store.unshared():
        for design in SAMPLE_DESIGNS:
            render_certificate_pdf(SAMPLE, design)
            forget(SAMPLE, design)
    certificate_store.connect()
    _warmed = True
    logger.info(
        "certificates: process warmed in %.0f ms of CPU",
        (time.process_time() - start) * 1000,
    )
    return True


def set_heap_aside() -> int:
    """Collect, then freeze every object the process holds (gc.freeze): a
    process started for certificates, warmed, holds about 190,000 (Django,
    templates, fonts, the layers' caches) that live as long as it does. A full
    collection walked them all, 120–200 ms of CPU inside whichever request
    it fell in (a few in every hundred first requests of certificates: their
    p99); it now walks what was made since, 20–70 ms. Called once, where a
    process has started (config/wsgi.py through warm_at_start, a pdf worker
    before its pool forks, which also keeps the frozen pages shared). Returns
    how many objects are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def prepare(
    info: CertificateInfo, design: CertificateDesign, *, learner: bool = True
) -> bool:
    """Lay out the layers a first certificate of the info's achievement in the
    design would lay out (a name of the usual size, on one line), without
    writing one: its request then refills the learner's layer and writes. The
    design layer is fetched where another process stored it; learner=False
    leaves the learner's layer (kept per process) to the first request. True
    when the design layer was laid out here."""
    stand_in = replace(
        info, learner_name=certificate_refill.STAND_IN_NAME, status_note=""
    )
    learner_pt = scaled_font_size(
        stand_in.learner_name, largest=38, smallest=22, fits=28
    )
    lines = 1 if design.shows("learner") else 0
    before = layouts["design"]
    layer = design_layer(stand_in, design, learner_pt, lines)
    if layer.usable and learner:
        kept_learner_layer(stand_in, design, layer, learner_pt, lines)
    return layouts["design"] > before
