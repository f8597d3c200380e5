"""Certificates are rendered when first asked for (issue 17), not at issue:
the first request renders and stores the PDF, later ones read the file, and
concurrent first requests render it once and store one file."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from credentials import services as credentials
from credentials.models import Award
from credentials.services.rendering import certificate_design_key
from tests import builders


def _pdf(client: Client, award: Award):
    response = client.get(reverse("credentials:pdf", args=[award.uuid]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response.status_code, body


def _files(settings) -> list:
    return sorted((settings.MEDIA_ROOT / "certificates").glob("*.pdf"))


@pytest.mark.django_db
def test_an_award_is_issued_without_a_pdf_and_its_first_request_renders_it(
    issued, client, settings
):
    assert not issued.pdf
    assert issued.notified_at is not None  # told without waiting for a PDF

    status, body = _pdf(client, issued)
    assert status == 200
    assert body.startswith(b"%PDF-")
    issued.refresh_from_db()
    assert issued.pdf.name == f"certificates/{issued.uuid}.pdf"
    assert issued.pdf_design == certificate_design_key(issued)
    (stored,) = _files(settings)
    written = stored.stat().st_mtime_ns

    # The second request reads the file: the same bytes, nothing written.
    assert _pdf(client, issued) == (200, body)
    assert _files(settings) == [stored]
    assert stored.stat().st_mtime_ns == written


@pytest.mark.django_db
def test_the_award_pages_link_a_certificate_not_rendered_yet(issued, client):
    page = client.get(reverse("credentials:verify", args=[issued.uuid]))
    assert reverse("credentials:pdf", args=[issued.uuid]) in page.text


@pytest.mark.django_db
def test_a_revoked_award_never_rendered_has_no_certificate(
    issued, cast, client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        credentials.revoke_award(issued, by=cast["admin"], reason="Issued in error.")
    assert _pdf(client, issued)[0] == 404
    assert _files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_render_one_file(settings, tmp_path):
    assert connection.vendor == "postgresql", "this test needs PostgreSQL"
    cast = builders.make_cast()
    task = builders.make_module(cast, "C-101")
    builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get(organization=cast.organization)
    assert not award.pdf

    barrier = threading.Barrier(2)
    answers: list = []
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(_pdf(Client(), award))
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert [status for status, _ in answers] == [200, 200]
    # One file, and both requests got its bytes: the second waited on the
    # award's row while the first rendered, then read the stored file.
    assert answers[0][1] == answers[1][1]
    assert answers[0][1].startswith(b"%PDF-")
    award.refresh_from_db()
    assert _files(settings) == [settings.MEDIA_ROOT / award.pdf.name]
