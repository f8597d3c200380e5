"""Badge images: a PNG or an SVG, checked by content and made safe.

No ORM. A PNG must decode as one; an SVG is parsed with defusedxml (no entity
expansion, no external DTDs), refused if it carries code (a script, an event
handler, a javascript: link), and rebuilt from an allow-list of elements and
attributes, so no foreign object or reference outside the image survives. Open
Badges images are shown on other people's sites: what is stored must be harmless
wherever it is displayed.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from accounts import images

MAX_BYTES = 1024 * 1024
MAX_PIXELS = images.MAX_PIXELS
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"

ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "use",
        "symbol",
        "pattern",
    ]
)
ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "viewBox",
        "width",
        "height",
        "x",
        "y",
        "x1",
        "y1",
        "x2",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "d",
        "points",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-miterlimit",
        "opacity",
        "transform",
        "gradientUnits",
        "gradientTransform",
        "offset",
        "stop-color",
        "stop-opacity",
        "clip-path",
        "clip-rule",
        "mask",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "preserveAspectRatio",
        "version",
        "href",
        "patternUnits",
        "role",
        "aria-label",
    ]
)
# A URL is allowed only as a reference inside the image: url(#id) or href="#id".
EXTERNAL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


class BadgeImageError(ValueError):
    pass


@dataclass(frozen=True)
class BadgeImage:
    content: bytes
    extension: str  # "png" or "svg"
    content_type: str


def check_badge_image(data: bytes) -> BadgeImage:
    """The image to store, or BadgeImageError saying what is wrong."""
    if not data:
        raise BadgeImageError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise BadgeImageError("A badge image may be at most 1 MB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return BadgeImage(_check_png(data), "png", "image/png")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")):
        return BadgeImage(sanitise_svg(data), "svg", "image/svg+xml")
    raise BadgeImageError("A badge image must be a PNG or an SVG file.")


@contextmanager
def open_image(data: bytes) -> Iterator[Image.Image]:
    """accounts.images.open_image, its refusal in this module's words."""
    try:
        with images.open_image(data) as image:
            yield image
    except images.ImageTooLarge as error:
        raise BadgeImageError(str(error)) from error


def _check_png(data: bytes) -> bytes:
    try:
        with open_image(data) as image:
            if image.format != "PNG":
                raise BadgeImageError("The file is not a PNG image.")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise BadgeImageError("The PNG image is damaged and cannot be read.") from error
    return data


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def sanitise_svg(data: bytes) -> bytes:
    """The SVG rebuilt from allowed elements and attributes only."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise BadgeImageError(
            "The SVG declares entities or a DTD, which badge images may not."
        ) from error
    except ElementTree.ParseError as error:
        raise BadgeImageError(f"The SVG is not well-formed XML ({error}).") from error
    namespace, name = _local(root.tag)
    if name != "svg" or namespace not in (SVG, ""):
        raise BadgeImageError("The file is XML but not an SVG image.")
    _refuse_code(root)
    clean = _copy(root)
    if clean is None:
        raise BadgeImageError("The SVG has nothing a badge image may show.")
    ElementTree.register_namespace("", SVG)
    ElementTree.register_namespace("xlink", XLINK)
    return ElementTree.tostring(clean, encoding="utf-8", xml_declaration=True)


def _refuse_code(root: ElementTree.Element) -> None:
    """A badge that tries to run code is refused outright, not quietly cleaned:
    the designer learns that the file is not what it seems. Passive outside
    references (styles, linked images) are only removed, below."""
    for element in root.iter():
        if _local(element.tag)[1].lower() == "script":
            raise BadgeImageError(
                "The SVG contains a script, and badge images may not run code. "
                "Export the picture again without scripts, or upload a PNG."
            )
        for key, value in element.attrib.items():
            attr = _local(key)[1].lower()
            if attr.startswith("on") or "javascript:" in value.lower():
                raise BadgeImageError(
                    f"The SVG has code in its {attr} attribute, and badge images "
                    "may not run code. Export the picture again without it, or "
                    "upload a PNG."
                )


def _copy(element: ElementTree.Element) -> ElementTree.Element | None:
    namespace, name = _local(element.tag)
    if namespace not in (SVG, "") or name not in ELEMENTS:
        return None  # script, foreignObject, style, image, animate, other XML
    copy = ElementTree.Element(f"{{{SVG}}}{name}")
    for key, value in element.attrib.items():
        attr_namespace, attr = _local(key)
        if attr_namespace == XLINK and attr == "href":
            attr = "href"
        elif attr_namespace:
            continue
        if attr.lower().startswith("on") or attr not in ATTRIBUTES:
            continue
        if attr == "href" and not value.strip().startswith("#"):
            continue  # no link out of the image
        if EXTERNAL.search(value) or "javascript:" in value.lower():
            continue
        copy.set(attr, value)
    copy.text = element.text if name in {"text", "tspan", "title", "desc"} else None
    for child in element:
        kept = _copy(child)
        if kept is not None:
            kept.tail = child.tail if name in {"text", "tspan"} else None
            copy.append(kept)
    return copy
