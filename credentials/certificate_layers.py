"""Certificates in two layers: what is the same for every learner given an
achievement and a template version (frame, logo, headings, description, outcomes,
signatories, seal, fonts and images) is laid out and written once per process as
a PDF form; each certificate lays out only the learner's parts (name, dates,
verification address, credential ID, a status stamp), draws its QR code as
rectangles, and draws the form beneath them.

The learner's name sits inside the centred text, so the design's layer is laid
out with a hidden stand-in of the name's size and number of lines, and the
learner's layer places the name where the stand-in was. Where the name does not
take the stand-in's room exactly (a name in a taller fallback font), the caller
lays the certificate out whole instead (None from layered_pdf).
"""

import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, replace
from datetime import date

import pydyf
from django.template.loader import render_to_string
from weasyprint import Attachment, Document
from weasyprint.formatting_structure import boxes

from credentials import certificate_refill, certificate_store
from credentials.certificate_design import CertificateDesign
from credentials.certificate_html import (
    CertificateInfo,
    certificate_context,
    find_box,
    fitted,
    lay_out,
    scaled_font_size,
)
from credentials.certificate_refill import kept_layer, refill
from credentials.qr import qr_matrix

# Design layers kept per process, the least recently used dropped first: each is
# its fonts' subsets and images, tens of kilobytes, more with signature images.
CACHE_SIZE = 32
# The resource name of the design's layer in the page's resources.
FORM_NAME = "CairnDesign"
# A CSS pixel in PDF points.
POINT = 0.75
# Two layouts agree to this many CSS pixels (a ten-thousandth of a millimetre).
TOLERANCE = 0.001
BETWEEN_TAGS = re.compile(r">\s+<")
# "12 0 R": a reference to object 12 in a PDF dictionary or array.
REFERENCE = re.compile(rb"(?<![\d.\-/])(\d+)(?= 0 R\b)")


@dataclass(frozen=True)
class Place:
    """Where the learner's name goes, in CSS pixels: left, top and width from the
    padding box of the frame's inner box (the name's containing block in the
    learner's layer), and the page's top and height to check it against."""

    left: float
    top: float
    width: float
    page_top: float
    height: float


@dataclass(frozen=True)
class DesignLayer:
    """The design's layer written once: each PDF object as (compressible, parts),
    the parts bytes and, for a reference, the object's index in this list."""

    objects: tuple[tuple[bool, tuple[bytes | int, ...]], ...]
    form: int  # index of the form that draws the page
    place: Place | None  # None when the design shows no learner's name
    usable: bool = True  # False: the name would be clipped, lay out whole
    # The outline's entries of the design's text (the achievement's heading).
    bookmarks: tuple = ()


_cache: OrderedDict[tuple, DesignLayer] = OrderedDict()
_lock = threading.Lock()
# Layers laid out since the process began, by layer ("design", "learner"): what
# a first certificate of an achievement costs, and what warming spares it.
layouts: Counter[str] = Counter()


def layered_pdf(
    info: CertificateInfo,
    design: CertificateDesign,
    attachment: Attachment,
    *,
    refilled: bool = True,
) -> bytes | None:
    """The certificate as a PDF from the cached design layer and the learner's,
    or None when the learner's name does not fit the design layer's room. The
    learner's layer is a kept one refilled where it can be (refilled=False:
    always laid out, as the tests compare)."""
    learner_pt = scaled_font_size(info.learner_name, largest=38, smallest=22, fits=28)
    lines = 1 if design.shows("learner") else 0
    layer = design_layer(info, design, learner_pt, lines)
    if not layer.usable:
        return None
    if refilled:
        kept = kept_learner_layer(info, design, layer, learner_pt, lines)
        pdf = refill(
            kept,
            info,
            lambda document: write(document, layer, info, design, attachment),
        )
        if pdf is not None:
            return pdf
    document = learner_document(info, design, layer.place)
    name_lines = placed_name_lines(document, layer.place)
    if name_lines is None:
        return None
    if name_lines != lines:
        # A long name took another number of lines: the layer laid out for that
        # many, and the name moved to its stand-in's place (only its top moves:
        # the centred text around it is taller or shorter).
        other = design_layer(info, design, learner_pt, name_lines)
        if not other.usable or not same_column(layer.place, other.place):
            return None
        move_name(document, layer.place, other.place)
        layer = other
    if not same_height(document, layer.place):
        # The name's lines are taller or shorter than the stand-in's: a name
        # in a fallback font of other proportions.
        return None
    return write(document, layer, info, design, attachment)


def kept_learner_layer(
    info: CertificateInfo,
    design: CertificateDesign,
    layer: DesignLayer,
    learner_pt: float,
    lines: int,
):
    """The learner's layer laid out once for the design layer and the kind of
    dates, to refill with each learner's text (certificate_refill.py)."""
    return kept_layer(
        (*design_key(info, design), learner_pt, lines, *dates_kind(info)),
        info,
        lambda stand_in: kept_document(stand_in, design, layer, learner_pt),
    )


def dates_kind(info: CertificateInfo) -> tuple[bool, bool]:
    return bool(info.valid_until), info.expired


def same_column(place: Place, other: Place | None) -> bool:
    """Whether the two stand-ins have the same left edge and width."""
    return (
        other is not None
        and abs(place.left - other.left) <= TOLERANCE
        and abs(place.width - other.width) <= TOLERANCE
    )


def move_name(document: Document, place: Place, to: Place) -> None:
    page = document.pages[0]
    name = find_box(page._page_box, "learner")
    shift = to.page_top - place.page_top
    name.translate(dy=shift)
    # The outline's entry for the name points at it.
    page.bookmarks[:] = [
        (
            level,
            label,
            (x, y + shift if abs(y - name.position_y + shift) < 1 else y),
            state,
        )
        for level, label, (x, y), state in page.bookmarks
    ]


def design_key(info: CertificateInfo, design: CertificateDesign) -> tuple:
    """What the design layer depends on: the design, the certificate's text but
    the learner's parts. Rubric results stay where the design shows them (they
    are in the centred text); where it does not, as outcomes it does not show,
    they are left out, so that learners of one achievement graded differently
    share a layer rather than each laying out both."""
    shared = replace(
        info,
        outcomes=info.outcomes if design.shows("outcomes") else (),
        rubric_results=info.rubric_results if design.shows("rubric_results") else (),
        learner_name="",
        issued_on=date.min,
        credential_id="",
        verify_url="",
        credential_json=b"",
        valid_until=None,
        expired=False,
        status_note="",
    )
    return design, shared


def design_layer(
    info: CertificateInfo, design: CertificateDesign, learner_pt: float, lines: int
) -> DesignLayer:
    """The layer kept in this process, else stored by another (shared by every
    process: certificate_store.py), else laid out here and stored."""
    key = (*design_key(info, design), learner_pt, lines)
    with _lock:
        layer = _cache.get(key)
        if layer is not None:
            _cache.move_to_end(key)
            return layer
    layer = certificate_store.fetch(key)
    if layer is None:
        layer = build_design_layer(key[1], design, learner_pt, lines)
        certificate_store.store(key, layer)
    with _lock:
        _cache[key] = layer
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return layer


def clear_cache() -> None:
    with _lock:
        _cache.clear()
    certificate_refill.clear_cache()


def forget(info: CertificateInfo, design: CertificateDesign) -> None:
    """Drop the layers kept for the certificate's design and text (a sample's)."""
    shared = design_key(info, design)
    with _lock:
        for key in [key for key in _cache if key[:2] == shared]:
            del _cache[key]
    certificate_refill.forget(lambda key: key[:2] == shared)


def build_design_layer(
    shared: CertificateInfo, design: CertificateDesign, learner_pt: float, lines: int
) -> DesignLayer:
    layouts["design"] += 1
    outcomes = shared.outcomes if design.shows("outcomes") else ()

    def with_slots(slots: int) -> Document:
        context = certificate_context(shared, slots, design, with_qr=False)
        context.update(
            layer="design", learner_pt=learner_pt, stand_in_lines=range(lines)
        )
        html = render_to_string("credentials/certificate_pdf.html", context)
        return lay_out(html, design)

    document, _ = fitted(len(outcomes), design, with_slots)
    page_box = document.pages[0]._page_box
    place = None
    if lines:
        name = find_box(page_box, "learner")
        upper = find_box(page_box, "upper")
        inner = find_box(page_box, "inner")
        top, bottom = (
            upper.padding_box_y(),
            upper.padding_box_y() + upper.padding_height(),
        )
        if (
            name.border_box_y() < top
            or name.border_box_y() + name.border_height() > bottom
        ):
            # The centred text overflows its clipped region and clips the name:
            # only a whole layout shows that as it is.
            return DesignLayer(objects=(), form=0, place=None, usable=False)
        place = Place(
            left=name.content_box_x() - inner.padding_box_x(),
            top=name.content_box_y() - inner.padding_box_y(),
            width=name.width,
            page_top=name.content_box_y(),
            height=name.height,
        )
    objects, form = written_objects(document)
    return DesignLayer(
        objects=objects,
        form=form,
        place=place,
        bookmarks=tuple(document.pages[0].bookmarks),
    )


def written_objects(document: Document) -> tuple[tuple, int]:
    """The document's page as a PDF form with everything it refers to (fonts,
    images, colour spaces), serialised once with relocatable references."""
    captured = {}

    def capture(document, pdf):
        page = pdf.objects[pdf.pages["Kids"][0]]
        contents = number(page["Contents"])
        form = pdf.objects[contents]
        form.extra.update(
            {
                "Type": "/XObject",
                "Subtype": "/Form",
                "BBox": page["MediaBox"],
                "Resources": page["Resources"],
            }
        )
        found: dict[int, tuple[bool, bytes, bytes]] = {}
        waiting = [contents]
        while waiting:
            n = waiting.pop()
            if n in found:
                continue
            obj = pdf.objects[n]
            data = obj.data
            if isinstance(obj, pydyf.Stream):
                head, separator, body = data.partition(b"\nstream\n")
                body = separator + body
            else:
                head, body = data, b""
            found[n] = (obj.compressible, head, body)
            waiting.extend(int(m) for m in REFERENCE.findall(head))
        order = sorted(found)
        index = {n: i for i, n in enumerate(order)}
        objects = []
        for n in order:
            compressible, head, body = found[n]
            pieces = REFERENCE.split(head)
            parts = tuple(
                index[int(piece)] if i % 2 else piece for i, piece in enumerate(pieces)
            )
            objects.append((compressible, (*parts, body)))
        captured["objects"] = tuple(objects)
        captured["form"] = index[contents]

    document.copy(document.pages[:1]).write_pdf(finisher=capture)
    return captured["objects"], captured["form"]


def kept_document(
    stand_in: CertificateInfo,
    design: CertificateDesign,
    layer: DesignLayer,
    learner_pt: float,
) -> Document | None:
    """The learner's layer to keep and refill, laid out with a stand-in name
    at the learner's size; None when the name does not sit in its place."""
    document = learner_document(stand_in, design, layer.place, learner_pt=learner_pt)
    lines = placed_name_lines(document, layer.place)
    if lines != (1 if layer.place else 0) or not same_height(document, layer.place):
        return None
    return document


def learner_document(
    info: CertificateInfo,
    design: CertificateDesign,
    place: Place | None,
    *,
    learner_pt: float | None = None,
) -> Document:
    layouts["learner"] += 1
    context = certificate_context(info, 0, design, with_qr=False)
    context["layer"] = "learner"
    if learner_pt is not None:
        context["learner_pt"] = learner_pt
    if place is not None:
        # Written in full: the name must land where the stand-in was.
        context["place"] = {
            "left": repr(place.left),
            "top": repr(place.top),
            "width": repr(place.width),
        }
    html = render_to_string("credentials/certificate_pdf.html", context)
    # Less to parse: the layer's blocks need no white space between them.
    return lay_out(BETWEEN_TAGS.sub("><", html), design)


def placed_name_lines(document: Document, place: Place | None) -> int | None:
    """The lines the learner's name took in its layer, or None when it is not at
    the stand-in's place (the caller then lays the certificate out whole)."""
    if place is None:
        return 0
    name = find_box(document.pages[0]._page_box, "learner")
    if abs(name.content_box_y() - place.page_top) > TOLERANCE:
        return None
    return sum(isinstance(child, boxes.LineBox) for child in name.children)


def same_height(document: Document, place: Place | None) -> bool:
    """Whether the name sits exactly where its stand-in did, of its height."""
    if place is None:
        return True
    name = find_box(document.pages[0]._page_box, "learner")
    return (
        abs(name.content_box_y() - place.page_top) <= TOLERANCE
        and abs(name.height - place.height) <= TOLERANCE
    )


def write(
    document: Document,
    layer: DesignLayer,
    info: CertificateInfo,
    design: CertificateDesign,
    attachment: Attachment,
) -> bytes:
    page = document.pages[0]
    # One outline, in the order of the page, as a certificate laid out whole has.
    page.bookmarks[:] = sorted(
        [*page.bookmarks, *layer.bookmarks], key=lambda mark: mark[2][::-1]
    )
    under = [f"q /{FORM_NAME} Do Q".encode()]
    if design.shows("qr_code"):
        under.append(qr_operators(page, info.verify_url, design.main_colour))

    def compose(document, pdf):
        base = len(pdf.objects)
        for compressible, parts in layer.objects:
            pdf.add_object(
                Serialised(
                    b"".join(
                        part if isinstance(part, bytes) else str(base + part).encode()
                        for part in parts
                    ),
                    compressible,
                )
            )
        pdf_page = pdf.objects[pdf.pages["Kids"][0]]
        resources = pdf.objects[number(pdf_page["Resources"])]
        resources["XObject"][FORM_NAME] = f"{base + layer.form} 0 R".encode()
        stream = pydyf.Stream(under, compress=True)
        pdf.add_object(stream)
        # The design beneath, then the QR code, then the learner's layer.
        pdf_page["Contents"] = pydyf.Array([stream.reference, pdf_page["Contents"]])

    return document.copy(document.pages[:1]).write_pdf(
        attachments=[attachment], finisher=compose
    )


def qr_operators(page, url: str, colour: str) -> bytes:
    """The verification URL's QR code as filled modules in the place of the
    learner layer's empty .qr box, in PDF operators."""
    matrix = qr_matrix(url)
    box = find_box(page._page_box, "qr")
    size = len(matrix)
    scale = box.border_width() * POINT / size
    left = box.border_box_x() * POINT
    top = (page.height - box.border_box_y()) * POINT
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"{start} {y} {x - start} 1 re")
            x += 1
    return (
        f"q {r:.4f} {g:.4f} {b:.4f} rg {scale:.6f} 0 0 {-scale:.6f} "
        f"{left:.4f} {top:.4f} cm\n" + "\n".join(runs) + "\nf Q"
    ).encode()


class Serialised(pydyf.Object):
    """A PDF object whose bytes were written before."""

    def __init__(self, data: bytes, compressible: bool):
        super().__init__()
        self._data = data
        self._compressible = compressible

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def compressible(self) -> bool:
        return self._compressible


def number(reference: bytes) -> int:
    """12 from b"12 0 R"."""
    return int(reference.split()[0])


def cached_layers() -> int:
    """How many design layers this process keeps."""
    with _lock:
        return len(_cache)
