"""The learner's layer laid out once per design layer and refilled per learner.

The learner's layer of a certificate (credentials/certificate_layers.py) has
the same boxes for every learner of a design layer: only the text of a few runs
differs (the name, the dates, the verification address and the credential ID).
Laying that layer out took two thirds of a certificate's time. Here it is laid
out once, with a stand-in name, and kept; each certificate measures its own
runs with Pango, as WeasyPrint's line breaking does (the same fonts, fallback
fonts and shaping, any script), puts the text into the kept boxes, moves them
for the lines' alignment and writes the page through WeasyPrint as before (fonts
subset and embedded, text extractable, the link, the outline, the attachment).

A run is refilled only where the result is the layout WeasyPrint would make:
each line of the run keeps its line (the same number of lines, nothing wraps
otherwise) and its height and baseline (a fallback font of other proportions
would move the line). Otherwise, and for text WeasyPrint would change (runs of
white space, a status note across the page, a name on two lines), refill()
returns None and the caller lays the learner's layer out as before; `declined`
counts why. tests/credentials/test_certificate_refill.py compares both ways'
pages, operator for operator.
"""

import copy
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.utils.formats import date_format
from weasyprint import Document
from weasyprint.document import Page
from weasyprint.formatting_structure import boxes
from weasyprint.layout.inline import text_align
from weasyprint.text.line_break import split_first_line

from credentials.certificate_html import CertificateInfo

logger = logging.getLogger(__name__)

# Kept learner layers: one per design layer in use and kind of dates.
CACHE_SIZE = 32
# The name a kept layer is laid out with: the design's font has the letter.
STAND_IN_NAME = "X"
# Two measurements agree to this many CSS pixels.
TOLERANCE = 0.001
# Certificates refilled, and why others were laid out, since the process began.
refilled: Counter[str] = Counter()
declined: Counter[str] = Counter()


@dataclass
class Piece:
    """A run's text box on one line: the boxes from the line down to it and
    the block whose width the line has."""

    path: tuple[boxes.Box, ...]  # the line, any inline boxes, the text box
    block: boxes.BlockContainerBox

    @property
    def line(self) -> boxes.LineBox:
        return self.path[0]

    @property
    def text_box(self) -> boxes.TextBox:
        return self.path[-1]


@dataclass
class KeptLayer:
    """A learner's layer laid out once: its runs' pieces by class, the boxes to
    put back as laid out before each refill, and the lock held while in use."""

    document: Document
    runs: dict[str, list[Piece]]
    name_box: boxes.Box | None
    link_boxes: list[boxes.Box]
    # (box, position_x, width, text, Pango layout): text boxes' text too.
    laid_out: list[tuple[boxes.Box, float, float, str, object]]
    lock: threading.Lock


_kept: OrderedDict[tuple, KeptLayer | None] = OrderedDict()
_lock = threading.Lock()


def runs_of(info: CertificateInfo) -> dict[str, str]:
    """The learner's text by the class of the element that shows it (the
    template's markup, credentials/certificate_pdf.html); the date until which
    the credential is valid has the class `value` too."""
    runs = {
        "learner": info.learner_name,
        "value": date_format(info.issued_on, "DATE_FORMAT"),
        "url": info.verify_url,
        "id": info.credential_id,
    }
    if info.valid_until:
        runs["until"] = date_format(info.valid_until, "DATE_FORMAT") + (
            " · EXPIRED" if info.expired else ""
        )
    return runs


def kept_layer(
    key: tuple, info: CertificateInfo, lay_out: Callable[[CertificateInfo], Document]
) -> KeptLayer | None:
    """The learner's layer kept for the key, laid out by lay_out() with a
    stand-in name the first time; None when it cannot be refilled."""
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    stand_in = replace(info, learner_name=STAND_IN_NAME, status_note="")
    document = lay_out(stand_in)
    kept = keep(document, stand_in) if document is not None else None
    with _lock:
        _kept[key] = kept
        while len(_kept) > CACHE_SIZE:
            _kept.popitem(last=False)
    return kept


def clear_cache() -> None:
    with _lock:
        _kept.clear()


def forget(which: Callable[[tuple], bool]) -> None:
    """Drop the kept layers whose key which() accepts."""
    with _lock:
        for key in [key for key in _kept if which(key)]:
            del _kept[key]


def kept_layers() -> int:
    """How many learner's layers this process keeps."""
    with _lock:
        return len(_kept)


def keep(document: Document, info: CertificateInfo) -> KeptLayer | None:
    """The layer with its runs found, or None when they are not laid out as
    refill() can refill them (every certificate of the key is then laid out)."""
    expected = runs_of(info)
    runs: dict[str, list[Piece]] = {}
    owners: dict[int, str] = {}  # id of an element: its run
    name_box = None
    link_boxes = []
    # Each box with the block container above it, the path from its line down
    # to it and the run its text belongs to.
    waiting = [(document.pages[0]._page_box, None, (), None)]
    while waiting:
        box, block, path, owner = waiting.pop()
        box = getattr(box, "_box", box)
        if isinstance(box, boxes.LineBox):
            path = (box,)
        elif path:
            path = (*path, box)
        elif isinstance(box, boxes.BlockContainerBox):
            block = box
        if not isinstance(box, boxes.TextBox | boxes.LineBox):
            owner = run_of(box, owners) or owner
            if owner == "learner" and name_box is None:
                name_box = box
            if box.link and isinstance(box, boxes.InlineBox):
                link_boxes.append(box)
        if isinstance(box, boxes.TextBox):
            if owner is not None:
                if not path:  # text outside a line: not a layout refill() knows
                    return None
                runs.setdefault(owner, []).append(Piece(path=path, block=block))
        elif isinstance(box, boxes.ParentBox):
            waiting.extend(
                (child, block, path, owner) for child in reversed(box.children)
            )
    for css_class, pieces in runs.items():
        lines = [piece.line for piece in pieces]
        if (
            "".join(piece.text_box.text for piece in pieces) != expected.get(css_class)
            or len(set(map(id, lines))) != len(lines)
            or any(line.style["text_align_all"] == "justify" for line in lines)
            # Pango breaks as WeasyPrint does but for its hyphenation.
            or any(piece.text_box.style["hyphens"] == "auto" for piece in pieces)
        ):
            return None
    laid_out = [
        (box, box.position_x, box.width, getattr(box, "text", ""), box.pango_layout)
        if isinstance(box, boxes.TextBox)
        else (box, box.position_x, box.width, "", None)
        for pieces in runs.values()
        for piece in pieces
        for box in within(piece.line)
    ]
    return KeptLayer(
        document=document,
        runs=runs,
        name_box=name_box,
        link_boxes=[box for box in link_boxes if link_target(box) == info.verify_url],
        laid_out=laid_out,
        lock=threading.Lock(),
    )


RUN_CLASSES = ("learner", "value", "url", "id")


def run_of(box: boxes.Box, owners: dict[int, str]) -> str | None:
    """The run shown by the box's element, if it shows one."""
    element = box.element
    if element is None or "::" in (box.element_tag or ""):
        return None
    if id(element) in owners:
        return owners[id(element)]
    classes = (element.get("class") or "").split()
    css_class = next((c for c in RUN_CLASSES if c in classes), None)
    if css_class is None:
        return None
    if css_class == "value" and "value" in owners.values():
        css_class = "until"
    owners[id(element)] = css_class
    return css_class


def link_target(box: boxes.Box) -> str | None:
    link = box.link
    if link and link[0] == "url" and link[1][0] == "external":
        return link[1][1]
    return None


def within(root: boxes.Box):
    """Every box under root, root first, in document order."""
    waiting = [root]
    while waiting:
        box = waiting.pop()
        yield box
        if isinstance(box, boxes.ParentBox):
            waiting.extend(reversed(box.children))


def refill(
    kept: KeptLayer | None, info: CertificateInfo, write: Callable[[Document], bytes]
) -> bytes | None:
    """write() of the kept layer with the learner's text, or None (counted in
    `declined`) when the layer laid out for this learner would differ."""
    if kept is None:
        # The stand-in's layer was not one to refill (see keep()).
        return decline("no layer to refill", "")
    if info.status_note:
        # Across the page, in its own font: rare (revoked, suspended).
        return decline("a status note", "status-note")
    texts = runs_of(info)
    for css_class, text in texts.items():
        if css_class in kept.runs and (not text or text != " ".join(text.split())):
            # White space WeasyPrint would collapse or break at, or no text
            # (and then no line) at all.
            return decline("white space", css_class)
    with kept.lock:
        restore(kept)
        measured = {}
        for css_class, pieces in kept.runs.items():
            fitted = fit(pieces, texts[css_class])
            if isinstance(fitted, str):
                return decline(fitted, css_class)
            measured[css_class] = fitted
        for css_class, pieces in kept.runs.items():
            for piece, (text, layout, width) in zip(
                pieces, measured[css_class], strict=True
            ):
                put(piece, text, layout, width)
            for line in {id(p.line): p for p in pieces}.values():
                align(line)
        if kept.name_box is not None:
            kept.name_box.bookmark_label = info.learner_name
        for box in kept.link_boxes:
            box.link = ("url", ("external", info.verify_url))
        document = kept.document
        metadata = copy.copy(document.metadata)
        kind = f"{info.achievement_kind} certificate"
        metadata.title = (
            f"{kind}: {info.achievement_name} awarded to {info.learner_name}"
        )
        metadata.description = (
            f"{kind} issued by {info.organization_name} on {texts['value']}. "
            f"Verify at {info.verify_url}"
        )
        page = Page(document.pages[0]._page_box)
        refilled["certificates"] += 1
        return write(
            Document(
                [page],
                metadata,
                document.url_fetcher,
                document.font_config,
                document.color_profiles,
                document.output_intent,
            )
        )


def decline(reason: str, css_class: str) -> None:
    declined[reason] += 1
    logger.info("certificate laid out, not refilled: %s (%s)", reason, css_class or "-")
    return None


def restore(kept: KeptLayer) -> None:
    for box, x, width, text, layout in kept.laid_out:
        box.position_x = x
        box.width = width
        if layout is not None:
            box.text = text
            box.pango_layout = layout


def fit(pieces: list[Piece], text: str) -> list[tuple] | str:
    """The text broken into the pieces' lines as WeasyPrint breaks it, each
    line's (text, Pango layout, width); or why it does not fit them."""
    fitted = []
    remaining = text
    for number, piece in enumerate(pieces):
        box = piece.text_box
        offset = box.position_x - piece.line.position_x
        layout, length, resume, width, height, baseline = split_first_line(
            remaining,
            box.style,
            None,
            piece.block.width - offset,
            box.justification_spacing,
            is_line_start=offset <= TOLERANCE,
        )
        last = number == len(pieces) - 1
        if (resume is None) != last:
            return "another number of lines"
        if (
            abs(height - box.height) > TOLERANCE
            or abs(baseline + box.margin_top - box.baseline) > TOLERANCE
        ):
            return "another line height"
        line_text = layout.text
        if not last:
            if not line_text or line_text[-1].isspace():
                return "a line broken at a space"
            remaining = remaining.encode()[resume:].decode()
        fitted.append((line_text, layout, width))
    return fitted


def put(piece: Piece, text: str, layout, width: float) -> None:
    """The text box given its new text, the boxes after it in the line moved
    and the inline boxes around it widened by the difference."""
    box = piece.text_box
    delta = width - box.width
    box.text = text
    box.pango_layout = layout
    box.width = width
    for parent, child in zip(piece.path[-2::-1], piece.path[:0:-1], strict=True):
        following = parent.children[parent.children.index(child) + 1 :]
        for sibling in following:
            sibling.translate(dx=delta)
        parent.width += delta


def align(piece: Piece) -> None:
    """The line moved to where its alignment puts a line of its new width."""
    line, block = piece.line, piece.block
    offset = text_align(None, line, block.width, last=block.children[-1] is line)
    line.translate(dx=block.content_box_x() + offset - line.position_x)
