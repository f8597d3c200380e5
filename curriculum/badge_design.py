"""The badge designer's drawing: one description (shape, colours, icon, text)
rendered as an SVG and, with Pillow, as a PNG of the same geometry. Pure: no ORM.

The PNG is drawn here rather than rasterised from the SVG so that no SVG
renderer (and its C libraries) is needed: the shapes are polygons and circles,
and the icons, from the bundled lucide set (static/badge-icons/, ISC licence),
are stroked lines, arcs and curves, flattened to polylines below.
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
    side = _quadratic((365, 205), (365, 320), (200, 392))
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


def _quadratic(start, control, end, steps: int = 16) -> list[tuple[float, float]]:
    return [
        (
            (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0],
            (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1],
        )
        for t in (n / steps for n in range(steps + 1))
    ]


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


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PATH_TOKEN = re.compile(
    r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
)
ARGUMENTS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}


def _path_tokens(d: str) -> list[str]:
    """The path's commands and numbers; an arc's flags may be written without
    separators ("a1 1 0 011 1"), so they are split to single digits later."""
    return PATH_TOKEN.findall(d)


def path_polylines(d: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """An SVG path as polylines (points, closed), curves and arcs flattened."""
    tokens = _path_tokens(d)
    lines: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    last_control = None
    command = ""
    i = 0

    def finish(closed: bool) -> None:
        nonlocal current
        if len(current) > 1:
            lines.append((current, closed))
        current = []

    def numbers(count: int, arc: bool = False) -> list[float]:
        nonlocal i
        values = []
        while len(values) < count:
            token = tokens[i]
            if arc and len(values) in (3, 4) and len(token.lstrip("+-")) > 1:
                # Flags run together with what follows: "011" is 0, 1, 1.
                tokens[i : i + 1] = [token[0], token[1:]]
                token = tokens[i]
            values.append(float(token))
            i += 1
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if current:
                    current.append((start_x, start_y))
                finish(True)
                x, y = start_x, start_y
                current = [(x, y)]
                last_control = None
                continue
        elif not command:
            raise BadgeDesignError("The icon's path does not start with a command.")
        relative = command.islower()
        upper = command.upper()
        values = numbers(ARGUMENTS[upper], arc=upper == "A")
        if relative:
            offsets = {
                "M": (0, 1), "L": (0, 1), "T": (0, 1), "C": (0, 1, 2, 3, 4, 5),
                "S": (0, 1, 2, 3), "Q": (0, 1, 2, 3),
            }  # fmt: skip
            if upper == "H":
                values[0] += x
            elif upper == "V":
                values[0] += y
            elif upper == "A":
                values[5] += x
                values[6] += y
            else:
                for n in offsets[upper]:
                    values[n] += x if n % 2 == 0 else y
        control = None
        if upper == "M":
            finish(False)
            x, y = values
            start_x, start_y = x, y
            current = [(x, y)]
            command = "l" if relative else "L"  # later pairs are lines
        elif upper in "LT":
            if upper == "T":
                control = _reflect(last_control, x, y) if last_control else (x, y)
                current.extend(_quadratic((x, y), control, values)[1:])
            else:
                current.append(tuple(values))
            x, y = values
        elif upper == "H":
            x = values[0]
            current.append((x, y))
        elif upper == "V":
            y = values[0]
            current.append((x, y))
        elif upper in "CS":
            if upper == "S":
                first = _reflect(last_control, x, y) if last_control else (x, y)
                values = [*first, *values]
            current.extend(_cubic((x, y), *_pairs(values))[1:])
            control = (values[2], values[3])
            x, y = values[4], values[5]
        elif upper == "Q":
            current.extend(_quadratic((x, y), values[:2], values[2:])[1:])
            control = (values[0], values[1])
            x, y = values[2], values[3]
        elif upper == "A":
            current.extend(_arc((x, y), *values)[1:])
            x, y = values[5], values[6]
        last_control = control if upper in "CSQT" else None
    finish(False)
    return lines


def _pairs(values: list[float]) -> list[tuple[float, float]]:
    return [(values[n], values[n + 1]) for n in range(0, len(values), 2)]


def _reflect(point, x: float, y: float) -> tuple[float, float]:
    return (2 * x - point[0], 2 * y - point[1])


def _cubic(p0, p1, p2, p3, steps: int = 16) -> list[tuple[float, float]]:
    points = []
    for n in range(steps + 1):
        t = n / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
        points.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return points


def _arc(start, rx, ry, rotation, large, sweep, x2, y2) -> list[tuple[float, float]]:
    """An elliptical arc as points, by the SVG spec's endpoint-to-centre
    conversion (SVG 1.1 appendix F.6.5)."""
    x1, y1 = start
    if rx == 0 or ry == 0 or (x1, y1) == (x2, y2):
        return [(x1, y1), (x2, y2)]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    xp, yp = cos * dx + sin * dy, -sin * dx + cos * dy
    scale = xp**2 / rx**2 + yp**2 / ry**2
    if scale > 1:  # radii too small to join the points: enlarge them
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx**2 * ry**2 - rx**2 * yp**2 - ry**2 * xp**2
    denominator = rx**2 * yp**2 + ry**2 * xp**2
    factor = math.sqrt(max(0.0, numerator / denominator))
    if large == sweep:
        factor = -factor
    cxp, cyp = factor * rx * yp / ry, -factor * ry * xp / rx
    cx = cos * cxp - sin * cyp + (x1 + x2) / 2
    cy = sin * cxp + cos * cyp + (y1 + y2) / 2
    theta = math.atan2((yp - cyp) / ry, (xp - cxp) / rx)
    end = math.atan2((-yp - cyp) / ry, (-xp - cxp) / rx)
    delta = end - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(4, int(abs(delta) / (math.pi / 16)))
    points = []
    for n in range(steps + 1):
        angle = theta + delta * n / steps
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy))
    return points


def _element_polylines(tag: str, attributes: dict[str, str]) -> list:
    number = {k: float(v) for k, v in attributes.items() if k != "d" and k != "points"}
    if tag == "path":
        return path_polylines(attributes["d"])
    if tag == "line":
        return [([(number["x1"], number["y1"]), (number["x2"], number["y2"])], False)]
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in NUMBER.findall(attributes["points"])]
        return [(_pairs(values), tag == "polygon")]
    if tag in ("circle", "ellipse"):
        rx = number.get("rx", number.get("r", 0))
        ry = number.get("ry", number.get("r", 0))
        points = [
            (
                number["cx"] + rx * math.cos(2 * math.pi * n / 48),
                number["cy"] + ry * math.sin(2 * math.pi * n / 48),
            )
            for n in range(48)
        ]
        return [(points, True)]
    # A rectangle, its corners rounded by rx/ry.
    x, y, w, h = number["x"], number["y"], number["width"], number["height"]
    r = min(number.get("rx", number.get("ry", 0)), w / 2, h / 2)
    if not r:
        return [([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], True)]
    points = []
    for cx, cy, start in (
        (x + w - r, y + r, -90),
        (x + w - r, y + h - r, 0),
        (x + r, y + h - r, 90),
        (x + r, y + r, 180),
    ):
        for step in range(7):
            angle = math.radians(start + 15 * step)
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return [(points, True)]


def _draw_icon(draw, name: str, ink: str, centre_y: float, scale: float) -> None:
    k = SUPERSAMPLE
    shift_x, shift_y = CENTRE - 12 * scale, centre_y - 12 * scale
    width = 2 * scale * k
    for tag, attributes in icon_elements(name):
        for points, closed in _element_polylines(tag, dict(attributes)):
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
