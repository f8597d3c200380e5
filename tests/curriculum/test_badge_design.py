"""The badge designer's drawing: one description, an SVG and a PNG that agree."""

import io

import pytest
from defusedxml import ElementTree
from PIL import Image

from curriculum import badge_design, badge_images, svgpath

DESIGN = {
    "shape": "circle",
    "background": "#fff4d6",
    "border": "#7a1f5c",
    "ink": "#1d2b45",
    "icon": "award",
    "text": "DATA 101",
}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[n : n + 2], 16) for n in (1, 3, 5))


def close(pixel, colour, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shape": "pentagram"}, "shapes offered"),
        ({"background": "red"}, "background colour must be a colour"),
        ({"ink": "#12345"}, "icon and text colour"),
        ({"icon": "../../settings"}, "icons offered"),
        ({"text": "x" * 19}, "at most 18 characters"),
        ({"text": "tab\x07here"}, "cannot be shown"),
        ({"icon": "", "text": ""}, "needs an icon, some text, or both"),
    ],
)
def test_a_design_that_cannot_be_drawn_says_why(change, message):
    with pytest.raises(badge_design.BadgeDesignError, match=message):
        badge_design.design_from(DESIGN | change)


def test_colours_are_normalised_and_text_spacing_collapsed():
    design = badge_design.design_from(DESIGN | {"border": "#7A1F5C", "text": " A   B "})
    assert (design.border, design.text) == ("#7a1f5c", "A B")


@pytest.mark.parametrize("shape", list(badge_design.SHAPES))
def test_each_shape_draws_a_png_in_the_chosen_colours(shape):
    design = badge_design.design_from(DESIGN | {"shape": shape})
    image = Image.open(io.BytesIO(badge_design.render_png(design))).convert("RGBA")
    assert image.size == (400, 400)
    assert image.getpixel((2, 2))[3] == 0  # transparent outside the shape
    colours = image.getcolors(400 * 400)
    most = [colour for _, colour in sorted(colours, reverse=True)[:4]]
    assert any(close(c, rgb(DESIGN["background"])) for c in most)
    assert any(close(c, rgb(DESIGN["border"])) for c in most)
    assert any(close(c, rgb(DESIGN["ink"])) for _, c in colours)


def test_the_circle_has_its_border_at_the_edge_and_background_inside():
    design = badge_design.design_from(DESIGN)
    image = Image.open(io.BytesIO(badge_design.render_png(design))).convert("RGB")
    assert close(image.getpixel((200, 20)), rgb(DESIGN["border"]))
    assert close(image.getpixel((60, 200)), rgb(DESIGN["background"]))


def test_the_svg_has_the_same_shape_colours_icon_and_text_and_stays_safe():
    design = badge_design.design_from(DESIGN | {"text": "<b>&amp;</b>"[:18]})
    svg = badge_design.render_svg(design, title="Badge of Data")
    root = ElementTree.fromstring(svg)
    fills = {e.get("fill") for e in root.iter() if e.get("fill")}
    assert {DESIGN["background"], DESIGN["border"], DESIGN["ink"]} <= fills
    text = next(e for e in root.iter() if e.tag.endswith("text"))
    assert text.text == "<b>&amp;</b>"  # escaped in the file, shown as typed
    assert root.get("aria-label").startswith("Badge of Data: circle badge")
    # What the designer draws passes the upload sanitiser unchanged in meaning.
    cleaned = badge_images.check_badge_image(svg)
    assert cleaned.extension == "svg"
    assert b"<script" not in cleaned.content


def test_every_bundled_icon_parses_and_draws():
    for name in badge_design.icon_names():
        design = badge_design.design_from(DESIGN | {"icon": name, "text": ""})
        image = Image.open(io.BytesIO(badge_design.render_png(design))).convert("RGB")
        inked = sum(
            1
            for _, colour in image.getcolors(400 * 400)
            if close(colour, rgb(DESIGN["ink"]), 10)
        )
        assert inked > 0, name


@pytest.mark.parametrize(
    ("d", "end"),
    [
        ("M1 1 L5 1", (5, 1)),
        ("m1 1 4 0", (5, 1)),
        ("M0 0h3v4", (3, 4)),
        ("M0 0a2 2 0 0 1 4 0", (4, 0)),
        ("M0 0a2 2 0 014 0", (4, 0)),  # flags written together
        ("M0 0c1 1 2 1 3 0s2-1 3 0", (6, 0)),
        ("M0 0q1 2 2 0t2 0", (4, 0)),
    ],
)
def test_path_commands_flatten_to_the_right_end_point(d, end):
    points, _ = svgpath.path_polylines(d)[-1]
    assert points[-1] == pytest.approx(end, abs=1e-6)


def test_an_arc_bulges_on_the_side_its_sweep_flag_says():
    points, _ = svgpath.path_polylines("M0 0a2 2 0 0 1 4 0")[0]
    assert min(y for _, y in points) == pytest.approx(-2, abs=0.05)


def test_alt_text_says_what_the_badge_shows():
    design = badge_design.design_from(DESIGN | {"icon": "chart-bar"})
    assert badge_design.alt_text(design, "Badge of Charts") == (
        "Badge of Charts: circle badge with a chart bar icon reading “DATA 101”"
    )
