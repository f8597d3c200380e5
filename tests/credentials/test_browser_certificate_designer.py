"""A real browser: an admin designs a certificate (colours, a signatory with a
signature image), publishes it, and the PDF a learner then receives shows
them; the designer's pages pass axe at desktop and phone widths."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader
from selenium.webdriver.common.by import By

from credentials.models import Award, CertificateTemplate
from tests import builders
from tests.credentials.test_certificate_designer import fill_colours, rgb, text_of
from tests.test_accessibility import AXE, PAGE_SETTLED, axe_violations
from tests.test_browser import (  # noqa: F401 (the browser fixture)
    answer_confirm,
    browser,
    csp_violations,
    log_in,
    wait_for_text,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN = "#5b2a86"
ACCENT = "#c05621"
PHONE = (375, 800)


def set_colour(driver, element_id: str, value: str) -> None:
    """A colour input has no keyboard text entry in Chromium: set its value as
    the picker would, with the change event htmx listens for."""
    driver.execute_script(
        "const input = document.getElementById(arguments[0]);"
        "input.value = arguments[1];"
        "input.dispatchEvent(new Event('change', {bubbles: true}));",
        element_id,
        value,
    )


def no_violations(driver, live_server, path: str) -> list[str]:
    found = []
    for width, height in ((1280, 1000), PHONE):
        driver.set_window_size(width, height)
        driver.get(live_server.url + path)
        wait_until(driver, lambda d: d.execute_script(PAGE_SETTLED))
        found += [f"{path} at {width}px: CSP {m}" for m in csp_violations(driver)]
        found += [
            f"{path} at {width}px: {v['id']} {v.get('targets', [])[:3]}"
            for v in axe_violations(driver)
        ]
    driver.set_window_size(1280, 1000)
    return found


def test_an_admin_designs_publishes_and_the_certificate_shows_it(
    browser,  # noqa: F811
    live_server,
    tmp_path,
):
    assert AXE.exists(), "axe-core is missing: run `make node`"
    cast = builders.make_cast()
    built = builders.make_pathway(cast)
    signature = tmp_path / "signature.png"
    Image.new("RGB", (210, 70), (10, 30, 160)).save(signature, format="PNG")

    log_in(browser, live_server, cast["admin"])
    browser.get(
        live_server.url + reverse("credentials:issuer", args=[cast.organization.slug])
    )
    browser.find_element(By.PARTIAL_LINK_TEXT, "Certificate designs").click()
    browser.find_element(By.ID, "template-name").send_keys("Graduation")
    browser.find_element(By.XPATH, "//button[text()='Create the template']").click()
    wait_for_text(browser, "h1", "Graduation")
    template = CertificateTemplate.objects.get(name="Graduation")

    # Colours: each change saves the draft and refreshes the preview (htmx).
    set_colour(browser, "main_colour", MAIN)
    wait_for_text(browser, "#preview [role=status]", "Draft saved")
    set_colour(browser, "accent_colour", ACCENT)
    wait_until(
        browser,
        lambda d: (
            CertificateTemplate.objects.get(pk=template.pk).draft.get("accent_colour")
            == ACCENT
        ),
    )
    # A signatory with a signature image.
    browser.find_element(By.ID, "signatory-0-name").send_keys("Prof. Lena Hartmann")
    browser.find_element(By.ID, "signatory-0-title").send_keys("Rector")
    browser.find_element(By.ID, "signatory-0-signature").send_keys(str(signature))
    browser.find_element(By.XPATH, "//button[text()='Save signatory 1']").click()
    wait_for_text(browser, ".messages", "Signatory saved")
    browser.find_element(By.CSS_SELECTOR, "img.signature-thumb")
    # The preview frame shows the draft with the signatory.
    frame = browser.find_element(By.CSS_SELECTOR, "iframe.preview-frame")
    browser.switch_to.frame(frame)
    wait_for_text(browser, ".signatory .name", "Prof. Lena Hartmann")
    browser.switch_to.default_content()
    # Publishing freezes the draft: it asks first.
    browser.find_element(By.XPATH, "//button[starts-with(text(), 'Publish')]").click()
    assert "cannot be changed" in answer_confirm(browser, accept=True)
    wait_for_text(browser, ".messages", "Version 1 published")

    violations = no_violations(browser, live_server, template.get_absolute_url())
    violations += no_violations(
        browser,
        live_server,
        reverse("credentials:certificate-gallery", args=[cast.organization.slug]),
    )
    violations += no_violations(
        browser,
        live_server,
        reverse("credentials:certificate-choices", args=[cast.organization.slug]),
    )
    assert not violations, "\n".join(violations)

    # The learner's certificate, made now, shows the design.
    builders.submit_and_pass(built.tasks[0], cast["learner"], cast["faculty"])
    award = Award.objects.get()
    # Rendered when the learner first asks for it.
    learner = Client()
    learner.force_login(cast["learner"])
    response = learner.get(reverse("credentials:pdf", args=[award.uuid]))
    assert response.status_code == 200
    award.refresh_from_db()
    assert award.pdf_template_version.template == template
    reader = PdfReader(io.BytesIO(award.pdf.open("rb").read()))
    text = text_of(reader)
    assert "Prof. Lena Hartmann" in text
    assert "Rector" in text
    assert (210, 70) in [image.image.size for image in reader.pages[0].images]
    colours = fill_colours(reader)
    assert rgb(MAIN) in colours
    assert rgb(ACCENT) in colours
