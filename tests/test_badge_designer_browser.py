"""The badge designer in a real browser: pick a shape, colours, an icon and
text, watch the preview follow, save, publish the version, and find the chosen
colours in the PNG that the learner's credential names. Then axe on the
designer at desktop and phone widths."""

import base64
import io
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest
from django.urls import reverse
from PIL import Image
from selenium.webdriver.common.by import By

from credentials.models import Award
from curriculum import services as curriculum
from curriculum.models import ModuleVersion
from pathways import services as pathways
from tests import builders
from tests.test_accessibility import BLOCKING, Page, axe_violations, describe
from tests.test_browser import (  # noqa: F401
    answer_confirm,
    browser,
    csp_violations,
    log_in,
    log_out,
    wait_for_text,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORDER, BACKGROUND = "#7a1f5c", "#fff4d6"
SET_COLOUR = """
const [field, value] = arguments;
field.value = value;
field.dispatchEvent(new Event('input', {bubbles: true}));
field.dispatchEvent(new Event('change', {bubbles: true}));
"""


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[n : n + 2], 16) for n in (1, 3, 5))


def close(pixel, colour, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def preview_svg(driver) -> str:
    src = driver.find_element(By.ID, "badge-preview-image").get_attribute("src")
    return base64.b64decode(src.split(",", 1)[1]).decode()


def test_design_a_badge_publish_and_find_it_in_the_credential(
    browser,  # noqa: F811 (the real-browser fixture)
    live_server,
):
    cast = builders.make_cast()
    task = builders.make_module(cast, "VIZ-1", publish=False)
    version = task.version

    log_in(browser, live_server, cast["designer"])
    browser.get(live_server.url + version.get_absolute_url())
    browser.find_element(By.LINK_TEXT, "Design the badge").click()
    wait_for_text(browser, "h1", "Badge for")

    browser.find_element(By.CSS_SELECTOR, "input[name=shape][value=shield]").click()
    wait_until(browser, lambda d: "shield badge" in preview_svg(d))
    for name, value in (("border", BORDER), ("background", BACKGROUND)):
        field = browser.find_element(By.ID, f"id_{name}")
        browser.execute_script(SET_COLOUR, field, value)
        wait_until(browser, lambda d, value=value: f'fill="{value}"' in preview_svg(d))
    browser.find_element(By.CSS_SELECTOR, "input[name=icon][value=trophy]").click()
    text = browser.find_element(By.ID, "id_text")
    text.clear()
    text.send_keys("VIZ PRO")
    expected = "shield badge with a trophy icon reading “VIZ PRO”"
    wait_until(
        browser,
        lambda d: (
            expected
            in d.find_element(By.ID, "badge-preview-image").get_attribute("alt")
        ),
    )
    assert not ModuleVersion.objects.get(pk=version.pk).has_badge  # only a preview

    browser.find_element(By.ID, "save-badge").click()
    wait_for_text(browser, ".messages", "Badge saved")
    saved = browser.find_element(By.CSS_SELECTOR, ".module-head img.badge-image")
    assert expected in saved.get_attribute("alt")
    assert csp_violations(browser) == []
    log_out(browser)

    log_in(browser, live_server, cast["admin"])
    browser.get(live_server.url + version.get_absolute_url())
    browser.find_element(By.ID, "id_changelog").send_keys(
        "First release, with a badge."
    )
    browser.find_element(By.XPATH, "//button[starts-with(text(), 'Publish')]").click()
    answer_confirm(browser, accept=True)
    wait_for_text(browser, "main", "Published")
    log_out(browser)

    builders.submit_and_pass(task, cast["learner"], cast["faculty"])
    award = Award.objects.get()
    image = award.credential["credentialSubject"]["achievement"]["image"]
    assert image["type"] == "Image"
    assert expected in image["caption"]
    with urlopen(live_server.url + urlsplit(image["id"]).path) as response:
        assert response.headers["Content-Type"] == "image/png"
        png = Image.open(io.BytesIO(response.read())).convert("RGB")
    assert close(png.getpixel((200, 24)), rgb(BORDER))
    assert close(png.getpixel((60, 200)), rgb(BACKGROUND))

    log_in(browser, live_server, cast["learner"])
    browser.get(live_server.url + reverse("home"))
    badge = browser.find_element(By.CSS_SELECTOR, ".award-card img.badge-thumb")
    assert expected in badge.get_attribute("alt")
    wait_until(
        browser,
        lambda d: d.execute_script(
            "return arguments[0].complete && arguments[0].naturalWidth === 400", badge
        ),
    )


@pytest.mark.parametrize(("width", "height"), [(1280, 1000), (390, 844)])
def test_the_designer_has_no_serious_accessibility_violations(
    browser,  # noqa: F811 (the real-browser fixture)
    live_server,
    width,
    height,
):
    cast = builders.make_cast()
    module = builders.make_module(cast, "VIZ-1", publish=False).version
    curriculum.design_badge(
        module,
        by=cast["designer"],
        design={
            "shape": "ribbon",
            "background": "#ffffff",
            "border": BORDER,
            "ink": "#1d2b45",
            "icon": "award",
            "text": "VIZ",
        },
    )
    builders.make_module(cast, "SHEET-1")
    path = pathways.create_pathway_version(
        cast.organization,
        by=cast["designer"],
        code="P-1",
        title="Path",
        rule=pathways.all_of(["SHEET-1"]),
    )

    def save_too_long_text(driver) -> None:
        """Past the browser's own length limit, so the server's message shows."""
        driver.execute_script(
            "arguments[0].removeAttribute('maxlength');"
            "arguments[0].value = 'x'.repeat(40);"
            "arguments[0].form.noValidate = true;",
            driver.find_element(By.ID, "id_text"),
        )
        driver.find_element(By.ID, "save-badge").click()
        driver.find_element(By.CSS_SELECTOR, "main [role=alert]")

    pages = [
        Page(
            "module badge designer",
            reverse("curriculum:version-badge-designer", args=[module.pk]),
        ),
        Page(
            "pathway badge designer",
            reverse("pathways:version-badge-designer", args=[path.pk]),
        ),
        Page(
            "badge designer: with errors",
            reverse("pathways:version-badge-designer", args=[path.pk]),
            then=save_too_long_text,
        ),
    ]
    browser.set_window_size(width, height)
    log_in(browser, live_server, cast["designer"])
    failures = []
    for page in pages:
        browser.get(live_server.url + page.path)
        if page.then:
            page.then(browser)
        if refused := csp_violations(browser):
            failures.append(f"{page.name}: CSP refused {refused}")
        blocking = [v for v in axe_violations(browser) if v["impact"] in BLOCKING]
        if blocking:
            failures.append(describe(page, blocking))
    assert not failures, "\n".join(failures)
