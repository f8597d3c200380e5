"""The badge designer's drawing: one description (shape, colours, icon, text)
rendered as an SVG and, with Pillow, as a PNG of the same geometry. Pure: no ORM.

The PNG is drawn here rather than rasterised from the SVG so that no SVG
renderer (and its C libraries) is needed: the shapes are polygons and circles,
and the icons, from the bundled lucide set (static/badge-icons/, ISC licence),
are stroked lines, arcs and curves, flattened to polylines by svgpath.py.
See docs/decisions/0022-badge-art.md.
"""

import io
import math
import re
from dataclasses import asdict, dataclass
from functools import cache
from html import escape
from pathlib import Path

from defusedxml import ElementTree as SafeElementTree
from PIL import Image, ImageDraw, ImageFont

from curriculum import svgpath

ICON_DIR = Path(__file__).resolve().parent.parent / "static" / "badge-icons"
SIZE = 400
CENTRE = SIZE / 2
SUPERSAMPLE = 3  # the PNG is drawn larger, then scaled down: smooth edges
MAX_TEXT = 18
TEXT_WIDTH = 250  # the widest the text may be, in pixels of the 400 canvas
COLOUR = re.compile(r"^#[0-9a-f]{6}$")

SHAPES = {
    "circle": "Circle",
    "shield": "Shield",
    "hexagon": "Hexagon",
    "ribbon": "Rosette with ribbons",
    "square": "Rounded square",
}
# Where the icon's centre and the text's middle sit, and the icon's size (the
# icons are drawn on a 24-unit grid).
LAYOUT = {
    "circle": (165, 290, 6.0),
    "shield": (150, 270, 5.5),
    "hexagon": (165, 290, 6.0),
    "ribbon": (140, 230, 5.0),
    "square": (165, 295, 6.5),
}


class BadgeDesignError(ValueError):
    pass


@dataclass(frozen=True)
class BadgeDesign:
    shape: str = "circle"
    background: str = "#ffffff"
    border: str = "#2f6f5e"
    ink: str = "#1d2b45"
    icon: str = "award"
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def icon_names() -> list[str]:
    """The bundled icons, by file name."""
    return sorted(p.stem for p in ICON_DIR.glob("*.svg"))


def icon_label(name: str) -> str:
    return name.replace("-", " ").capitalize()


def design_from(data: dict) -> BadgeDesign:
    """A design from plain data (a form or a stored JSON), or BadgeDesignError."""
    shape = str(data.get("shape") or "circle")
    if shape not in SHAPES:
        raise BadgeDesignError("Choose one of the shapes offered.")
    colours = {}
    for field, label in (("background", "background"), ("border", "border")):
        colours[field] = _colour(data.get(field), label)
    colours["ink"] = _colour(data.get("ink"), "icon and text")
    icon = str(data.get("icon") or "")
    if icon and icon not in icon_names():
        raise BadgeDesignError("Choose one of the icons offered, or none.")
    text = " ".join(str(data.get("text") or "").split())
    if len(text) > MAX_TEXT:
        raise BadgeDesignError(
            f"The badge text may be at most {MAX_TEXT} characters "
            f"(it has {len(text)}): shorten it."
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise BadgeDesignError("The badge text has a character that cannot be shown.")
    if not icon and not text:
        raise BadgeDesignError("A badge needs an icon, some text, or both.")
    return BadgeDesign(shape=shape, icon=icon, text=text, **colours)


def _colour(value: object, label: str) -> str:
    colour = str(value or "").strip().lower()
    if not COLOUR.match(colour):
        raise BadgeDesignError(
            f"The {label} colour must be a colour like #2f6f5e (got {value or 'none'})."
        )
    return colour


# Shapes -----------------------------------------------------------------------


def _scaled(points: list[tuple[float, float]], factor: float, centre=(CENTRE, CENTRE)):
    cx, cy = centre
    return [(cx + (x - cx) * factor, cy + (y - cy) * factor) for x, y in points]


def _regular(sides: int, radius: float, rotation: float) -> list[tuple[float, float]]:
    return [
        (
            CENTRE + radius * math.cos(rotation + 2 * math.pi * k / sides),
            CENTRE + radius * math.sin(rotation + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def _shield() -> list[tuple[float, float]]:
    side = svgpath.quadratic((365, 205), (365, 320), (200, 392))
    left = [(SIZE - x, y) for x, y in reversed(side)]
    return [(35, 20), (365, 20), *side, *left[1:]]


def _rounded_square(low: float, high: float, radius: float) -> list:
    points = []
    corners = [
        (high - radius, low + radius, -90),
        (high - radius, high - radius, 0),
        (low + radius, high - radius, 90),
        (low + radius, low + radius, 180),
    ]
    for cx, cy, start in corners:
        for step in range(10):
            angle = math.radians(start + 9 * step + 9)
            points.append(
                (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
            )
    return points


def _outline(shape: str) -> tuple[list, list, list[list]]:
    """The outer and inner outline (a polygon, or a circle as [(cx, cy, r)]) and
    any extra polygons drawn in the border colour (the rosette's ribbons)."""
    if shape == "circle":
        return [(CENTRE, CENTRE, 190)], [(CENTRE, CENTRE, 166)], []
    if shape == "hexagon":
        outer = _regular(6, 196, -math.pi / 2)
        return outer, _scaled(outer, 0.87), []
    if shape == "shield":
        outer = _shield()
        return outer, _scaled(outer, 0.87, (CENTRE, 190)), []
    if shape == "square":
        return _rounded_square(14, 386, 56), _rounded_square(38, 362, 40), []
    # The rosette: a circle with two ribbon tails below it.
    tails = [
        [(150, 250), (195, 270), (160, 392), (135, 355), (95, 370)],
        [(250, 250), (205, 270), (240, 392), (265, 355), (305, 370)],
    ]
    return [(CENTRE, 165, 150)], [(CENTRE, 165, 128)], tails


def _svg_outline(outline: list, fill: str) -> str:
    if len(outline) == 1:
        cx, cy, r = outline[0]
        return f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{fill}"/>'
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in outline)
    return f'<polygon points="{points}" fill="{fill}"/>'


# Text -------------------------------------------------------------------------


def _font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


@cache
def text_size(text: str) -> int:
    """The font size at which the text fits the badge (the same in SVG and PNG,
    measured with the PNG's font)."""
    size = 44
    while size > 14 and _font(size).getlength(text) > TEXT_WIDTH:
        size -= 2
    return size


# Icons ------------------------------------------------------------------------

GEOMETRY = {
    "path": ("d",),
    "circle": ("cx", "cy", "r"),
    "ellipse": ("cx", "cy", "rx", "ry"),
    "line": ("x1", "y1", "x2", "y2"),
    "rect": ("x", "y", "width", "height", "rx", "ry"),
    "polyline": ("points",),
    "polygon": ("points",),
}


@cache
def icon_elements(name: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The icon's drawing elements with only their geometry attributes."""
    if name not in icon_names():
        raise BadgeDesignError("Choose one of the icons offered, or none.")
    root = SafeElementTree.fromstring((ICON_DIR / f"{name}.svg").read_bytes())
    elements = []
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in GEOMETRY:
            attributes = tuple(
                (key, element.attrib[key])
                for key in GEOMETRY[tag]
                if key in element.attrib
            )
            elements.append((tag, attributes))
    return tuple(elements)


def _svg_icon(name: str, ink: str, centre_y: float, scale: float) -> str:
    shift_x, shift_y = CENTRE - 12 * scale, centre_y - 12 * scale
    parts = "".join(
        f"<{tag} "
        + " ".join(f'{key}="{escape(value)}"' for key, value in attributes)
        + "/>"
        for tag, attributes in icon_elements(name)
    )
    return (
        f'<g transform="translate({shift_x:g} {shift_y:g}) scale({scale:g})" '
        f'fill="none" stroke="{ink}" stroke-width="2" stroke-linecap="round" '
        f'stroke-linejoin="round">{parts}</g>'
    )


def _draw_icon(draw, name: str, ink: str, centre_y: float, scale: float) -> None:
    k = SUPERSAMPLE
    shift_x, shift_y = CENTRE - 12 * scale, centre_y - 12 * scale
    width = 2 * scale * k
    for tag, attributes in icon_elements(name):
        for points, closed in svgpath.element_polylines(tag, dict(attributes)):
            placed = [
                ((shift_x + px * scale) * k, (shift_y + py * scale) * k)
                for px, py in points
            ]
            if closed:
                placed.append(placed[0])
            draw.line(placed, fill=ink, width=round(width), joint="curve")
            # Round caps: a dot at each end of the line.
            for px, py in (placed[0], placed[-1]):
                half = width / 2
                draw.ellipse((px - half, py - half, px + half, py + half), fill=ink)


# Rendering ----------------------------------------------------------------------


def alt_text(design: BadgeDesign, title: str) -> str:
    """What the image shows, in words, for screen readers."""
    parts = [f"{SHAPES[design.shape].lower()} badge"]
    if design.icon:
        parts.append(f"with a {icon_label(design.icon).lower()} icon")
    if design.text:
        parts.append(f"reading “{design.text}”")
    return f"{title}: " + " ".join(parts)


def render_svg(design: BadgeDesign, *, title: str = "") -> bytes:
    """The badge as a standalone SVG, 400×400."""
    outer, inner, extras = _outline(design.shape)
    icon_y, text_y, scale = LAYOUT[design.shape]
    if not design.text:
        icon_y, scale = _centre_of(design.shape), scale * 1.3
    label = escape(alt_text(design, title) if title else SHAPES[design.shape])
    body = [_svg_outline(extra, design.border) for extra in extras]
    body += [_svg_outline(outer, design.border), _svg_outline(inner, design.background)]
    if design.icon:
        body.append(_svg_icon(design.icon, design.ink, icon_y, scale))
    if design.text:
        body.append(
            f'<text x="{CENTRE:g}" y="{text_y}" text-anchor="middle" '
            f'dominant-baseline="middle" font-family="sans-serif" '
            f'font-size="{text_size(design.text)}" fill="{design.ink}">'
            f"{escape(design.text)}</text>"
        )
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(body)}</svg>\n"
    )
    return svg.encode()


def _centre_of(shape: str) -> float:
    return {"ribbon": 165, "shield": 185}.get(shape, CENTRE)


def render_png(design: BadgeDesign) -> bytes:
    """The same badge as a 400×400 PNG with a transparent background."""
    k = SUPERSAMPLE
    image = Image.new("RGBA", (SIZE * k, SIZE * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outer, inner, extras = _outline(design.shape)
    for outline, fill in [(e, design.border) for e in extras] + [
        (outer, design.border),
        (inner, design.background),
    ]:
        if len(outline) == 1:
            cx, cy, r = outline[0]
            draw.ellipse(
                ((cx - r) * k, (cy - r) * k, (cx + r) * k, (cy + r) * k), fill=fill
            )
        else:
            draw.polygon([(x * k, y * k) for x, y in outline], fill=fill)
    icon_y, text_y, scale = LAYOUT[design.shape]
    if not design.text:
        icon_y, scale = _centre_of(design.shape), scale * 1.3
    if design.icon:
        _draw_icon(draw, design.icon, design.ink, icon_y, scale)
    if design.text:
        font = _font(text_size(design.text) * k)
        draw.text(
            (CENTRE * k, text_y * k),
            design.text,
            fill=design.ink,
            font=font,
            anchor="mm",
        )
    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
