"""Badge images with the credential baked in (PNG and SVG). Pure, no ORM."""

import base64
import io
import re
import textwrap
from html import escape
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from credentials import baking

SIZE = 400
INK = "#1d2b45"
ACCENT = "#2f6f5e"


def _lines(text: str, width: int, count: int) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if len(lines) > count:
        lines = lines[:count]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def badge_svg(
    *,
    achievement_name: str,
    organization_name: str,
    credential: dict[str, Any],
    image: bytes | None = None,
) -> bytes:
    """An SVG badge with the signed credential baked in (OB 3.0 section 5.3.2):
    the achievement's own SVG when given, else Cairn's plain art."""
    if image is not None:
        return bake_into_svg(image, credential)
    title = _lines(achievement_name, 22, 3)
    tspans = "".join(
        f'<tspan x="200" dy="{0 if n == 0 else 30}">{escape(line)}</tspan>'
        for n, line in enumerate(title)
    )
    top = 190 - 15 * (len(title) - 1)
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="{baking.SVG_NAMESPACE}" '
        f'xmlns:openbadges="{baking.OB_NAMESPACE}" '
        f'width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-label="{escape(achievement_name)}, {escape(organization_name)}">'
        f"{baking.svg_credential_element(credential)}"
        f'<circle cx="200" cy="200" r="190" fill="{ACCENT}"/>'
        '<circle cx="200" cy="200" r="170" fill="#fff"/>'
        f'<text x="200" y="{top}" text-anchor="middle" font-family="sans-serif" '
        f'font-size="26" font-weight="bold" fill="{INK}">{tspans}</text>'
        f'<text x="200" y="318" text-anchor="middle" font-family="sans-serif" '
        f'font-size="16" fill="{INK}">{escape(_lines(organization_name, 34, 1)[0])}'
        "</text></svg>\n"
    )
    return svg.encode("utf-8")


SVG_START = re.compile(rb"<svg\b[^>]*>")


def bake_into_svg(svg: bytes, credential: dict[str, Any]) -> bytes:
    """The achievement's own SVG badge with the credential baked in first inside
    <svg>. The SVG was made safe when stored (no entities, attribute values
    escaped), so its start tag is found by its closing ">"."""
    match = SVG_START.search(svg)
    if match is None or match.group().endswith(b"/>"):
        raise ValueError("The stored badge is not an SVG with content.")
    start = match.group()
    if b"xmlns:openbadges=" not in start:
        start = start[:-1] + f' xmlns:openbadges="{baking.OB_NAMESPACE}">'.encode()
    element = baking.svg_credential_element(credential).encode("utf-8")
    return svg[: match.start()] + start + element + svg[match.end() :]


def svg_around_png(png: bytes, *, label: str) -> bytes:
    """An SVG that shows a PNG badge (an achievement with only a PNG picture),
    ready for baking."""
    data = base64.b64encode(png).decode("ascii")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="{baking.SVG_NAMESPACE}" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{escape(label)}">'
        f'<image width="{SIZE}" height="{SIZE}" href="data:image/png;base64,{data}"/>'
        "</svg>\n"
    ).encode()


def badge_png(
    *,
    achievement_name: str,
    organization_name: str,
    credential: dict[str, Any],
    image: bytes | None = None,
) -> bytes:
    """A PNG badge with the signed credential baked in (OB 3.0 section 5.3.1):
    the achievement's own picture when it has a PNG, else Cairn's plain art."""
    if image is not None:
        return baking.bake_png(image, credential)
    image = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=ACCENT)
    draw.ellipse((30, 30, SIZE - 30, SIZE - 30), fill="white")
    title_font = ImageFont.load_default(size=26)
    small_font = ImageFont.load_default(size=16)
    title = _lines(achievement_name, 22, 3)
    y = 190 - 15 * len(title)
    for line in title:
        draw.text((SIZE / 2, y), line, fill=INK, font=title_font, anchor="mt")
        y += 30
    organization = _lines(organization_name, 34, 1)[0]
    draw.text((SIZE / 2, 305), organization, fill=INK, font=small_font, anchor="mt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return baking.bake_png(buffer.getvalue(), credential)
