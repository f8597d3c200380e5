"""A certificate's page as HTML and its layout: CertificateInfo shaped for the
template (credentials/certificate_pdf.html), the design's stylesheet parsed once,
fonts loaded once, and one document laid out. Pure: no ORM."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from weasyprint import CSS, HTML, Document
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from credentials.certificate_design import (
    DEFAULT_ACCENT,
    DEFAULT_DESIGN,
    DEFAULT_MAIN,
    FIELDS,
    FONTS,
    CertificateDesign,
    contrast,
    font_files,
    mix,
)

# Built once per process and shared by every render (shared PITFALLS.md, "PDF
# certificates"); the template has no @font-face rules that would add to it.
FONT_CONFIG = FontConfiguration()
# One configuration per bundled font, its faces loaded once (font_config()).
_FONT_CONFIGS: dict[str, FontConfiguration] = {}

# Lines in the two columns of outcomes, "and N more" included: more would crowd
# the page, and the verification page lists them all. Even counts keep the
# columns level.
OUTCOME_SLOTS = (6, 4, 2, 0)


@dataclass(frozen=True)
class CertificateInfo:
    learner_name: str
    achievement_name: str
    achievement_kind: str  # "Pathway" or "Module"
    organization_name: str
    issued_on: date
    credential_id: str
    verify_url: str
    credential_json: bytes
    description: str = ""
    outcomes: tuple[str, ...] = ()
    level: str = ""  # shown as given, e.g. "EQF 5"
    credits: str = ""  # shown as given, e.g. "30 credits"
    logo_data_uri: str = ""  # "data:image/png;base64,..." (only data: is fetched)
    valid_until: date | None = None
    expired: bool = False
    # "Criterion: level" lines of the grade a module was earned with.
    rubric_results: tuple[str, ...] = ()
    # Said across the page when the credential no longer stands, e.g.
    # "Revoked on 6 December 2026".
    status_note: str = ""


def font_config(font: str) -> FontConfiguration:
    """The shared configuration with the font's bundled faces loaded, once per
    process: the template then names the family without @font-face rules."""
    if not FONTS[font][1]:
        return FONT_CONFIG
    if font not in _FONT_CONFIGS:
        config = FontConfiguration()
        family = FONTS[font][1]
        rules = "".join(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}"); }}'
            for (weight, style), path in font_files(font).items()
        )
        # Our own files, read once here; renders fetch only data: URIs.
        CSS(
            string=rules,
            font_config=config,
            url_fetcher=URLFetcher(allowed_protocols={"file"}),
        )
        _FONT_CONFIGS[font] = config
    return _FONT_CONFIGS[font]


def stylesheet_text(design: CertificateDesign) -> str:
    """The certificate's CSS for the design: it depends on nothing else."""
    return render_to_string(
        "credentials/certificate_pdf.css",
        {
            "design": design,
            "show": {name: design.shows(name) for name in FIELDS},
            "colours": colours(design),
            "box": layout(design),
        },
    )


@lru_cache(maxsize=64)
def stylesheet(design: CertificateDesign) -> CSS:
    """The design's stylesheet parsed once: parsing it took a fifth of a render."""
    return CSS(
        string=stylesheet_text(design),
        font_config=font_config(design.font),
        url_fetcher=data_only(),
    )


def data_only() -> URLFetcher:
    """A fetcher of data: URIs only, one per thread (making one took a millisecond;
    a fetcher keeps its current request, so threads do not share one)."""
    # Only data: URIs may be fetched: the page needs nothing from the network or
    # the file system, and learner-supplied text must not make a worker fetch.
    fetcher = getattr(_fetchers, "data_only", None)
    if fetcher is None:
        fetcher = _fetchers.data_only = URLFetcher(allowed_protocols={"data"})
    return fetcher


_fetchers = threading.local()


def lay_out(html: str, design: CertificateDesign) -> Document:
    """The certificate's HTML (without its <style>) laid out in the design."""
    return HTML(string=html, url_fetcher=data_only()).render(
        font_config=font_config(design.font), stylesheets=[stylesheet(design)]
    )


def full_document(
    info: CertificateInfo, design: CertificateDesign, *, inline_style: bool = False
) -> tuple[str, Document]:
    """The whole certificate laid out in one document, with as many outcomes as fit."""
    outcomes = info.outcomes if design.shows("outcomes") else ()
    laid_out = {}  # slots: (context, html)

    def with_slots(slots: int) -> Document:
        context = certificate_context(info, slots, design)
        html = render_to_string("credentials/certificate_pdf.html", context)
        laid_out[slots] = context, html
        return lay_out(html, design)

    document, slots = fitted(len(outcomes), design, with_slots)
    context, html = laid_out[slots]
    if inline_style:
        context["inline_style"] = True
        html = render_to_string("credentials/certificate_pdf.html", context)
    return html, document


def certificate_context(
    info: CertificateInfo,
    outcome_slots: int,
    design: CertificateDesign = DEFAULT_DESIGN,
    *,
    with_qr: bool = True,
) -> dict:
    """Shape CertificateInfo for the template, with text sizes chosen to fit."""
    outcomes = info.outcomes if design.shows("outcomes") else ()
    if len(outcomes) > outcome_slots:
        # The last slot says how many are left out.
        outcomes = outcomes[: max(outcome_slots - 1, 0)]
    total = len(info.outcomes) if design.shows("outcomes") else 0
    more = total - len(outcomes) if outcomes else 0
    # Two lists side by side rather than CSS columns, whose balancing made the
    # layout several times slower; "and N more" ends the right-hand one.
    left = (len(outcomes) + bool(more) + 1) // 2
    return {
        "info": info,
        "kind": f"{info.achievement_kind} certificate",
        "outcome_columns": [outcomes[:left], outcomes[left:]] if outcomes else [],
        "more_outcomes": more,
        "learner_pt": scaled_font_size(
            info.learner_name, largest=38, smallest=22, fits=28
        ),
        "achievement_pt": scaled_font_size(
            info.achievement_name, largest=21, smallest=14, fits=50
        ),
        "qr_svg": qr_svg(info.verify_url, design.main_colour)
        if design.shows("qr_code") and with_qr
        else "",
        "design": design,
        "show": {name: design.shows(name) for name in FIELDS},
        "logo": (design.logo_data_uri or info.logo_data_uri)
        if design.show_logo
        else "",
        "rubric_results": info.rubric_results[:8]
        if design.shows("rubric_results")
        else (),
        "colours": colours(design),
        "box": layout(design),
    }


def colours(design: CertificateDesign) -> dict[str, str]:
    """The template's colours from the design's two: the main colour for text
    and frame, the accent for rules and ornaments, and darker or lighter shades."""
    main, accent = design.main_colour, design.accent_colour
    # The classic design's own shades, so that it looks as it always did.
    accent_text = "#8c6b2f" if accent == DEFAULT_ACCENT else accent
    while contrast(accent_text, "#ffffff") < 4.5:
        accent_text = mix(accent_text, "#000000", 0.15)
    return {
        "main": main,
        "accent": accent,
        "accent_text": accent_text,
        "muted": "#4a5670" if main == DEFAULT_MAIN else mix(main, "#ffffff", 0.2),
        "soft": "#33405c" if main == DEFAULT_MAIN else mix(main, "#ffffff", 0.1),
    }


def layout(design: CertificateDesign) -> dict[str, float]:
    """Sizes in millimetres of the page's regions for the design's page."""
    width, height = design.page_mm
    side = 18 if design.landscape else 13
    inner_width = width - 18 - 4.2  # the page margin, the frame and its padding
    upper_width = inner_width - 2 * side
    signatures = 26 if design.signatories else 0
    upper_bottom = 44 + signatures
    frame_height = height - 18
    return {
        "page_width": width,
        "page_height": height,
        "frame_height": frame_height,
        "side": side,
        "upper_bottom": upper_bottom,
        "cell_height": round(frame_height - 4.2 - 13 - upper_bottom + 1, 1),
        "description_width": round(min(190, upper_width - 40), 1),
        "outcomes_width": round(min(205, upper_width - 20), 1),
        "rule_width": round(min(120, upper_width * 0.6), 1),
        "issued_width": 70 if design.landscape else 52,
        "verify_width": 82 if design.landscape else 66,
    }


def outcome_slot_counts(total: int) -> list[int]:
    """Numbers of outcome slots worth trying, each showing fewer outcomes."""
    first = min(total, OUTCOME_SLOTS[0])
    return [first, *(n for n in OUTCOME_SLOTS if n < first)]


def fitted(
    outcomes: int, design: CertificateDesign, with_slots: Callable[[int], Document]
) -> tuple[Document, int]:
    """The page laid out by with_slots() with as many outcome slots as fit
    (outcome_slot_counts), and that number. A page with too many is measured
    to skip the counts that cannot fit either (the demo template, with two
    signatories, laid its page out four times: six, four, two, none): two
    layouts where it took three or four, one where the first fits."""
    counts = outcome_slot_counts(outcomes)
    at = 0
    document = with_slots(counts[0])
    while not text_fits(document) and at < len(counts) - 1:
        ahead = too_many(document, design, counts[at + 1 :]) if at == 0 else 0
        at += ahead + 1
        document = with_slots(counts[at])
    return document, counts[at]


# A count is skipped only when measured to overflow by more than this many
# CSS pixels: what measuring cannot tell is laid out and seen.
SKIP_MARGIN = 0.5


def too_many(document: Document, design: CertificateDesign, fewer: list[int]) -> int:
    """How many of the `fewer` outcome slot counts, in order, would still not
    fit, from the page laid out with more (text_fits false). The centred
    text's cell keeps its height while its content is shorter (the content
    then centred in it) and grows with it; the outcomes' two columns are
    floats of list items, each item's height the same in either column."""
    page = document.pages[0]._page_box
    cell, block = find_box(page, "upper-cell"), find_box(page, "outcomes")
    if cell is None or block is None or cell.computed_height == "auto":
        return 0
    columns = [c for c in block.children if c.element_tag == "ul"]
    items = [item for column in columns for item in column.children]
    more = [item.margin_height() for item in items if is_more(item)]
    heights = [item.margin_height() for item in items if not is_more(item)]
    shown = max(column.margin_height() for column in columns)
    end, limit = page_anchor(document, "text-end"), page_anchor(document, "text-limit")

    def shift(content: float) -> float:
        return max(0.0, (cell.computed_height - content) / 2)

    skipped = 0
    for slots in fewer:
        if slots:
            # slots - 1 outcomes and "and N more", half in each column.
            kept = [*heights[: slots - 1], more[0] if more else 0.0]
            left = (slots + 1) // 2
            taller = max(sum(kept[:left]), sum(kept[left:]))
            lower = shown - taller
        else:
            lower = block.margin_height()
        content = cell.content_height - lower
        moved = end - lower - shift(cell.content_height) + shift(content)
        if moved - limit <= SKIP_MARGIN:
            break
        skipped += 1
    return min(skipped, len(fewer) - 1)


def is_more(item) -> bool:
    return "more" in (item.element.get("class") or "").split()


def page_anchor(document: Document, name: str) -> float:
    return document.pages[0].anchors[name][1]


def find_box(root: boxes.Box, css_class: str) -> boxes.Box | None:
    """The first box, in document order, of an element with the class."""
    waiting = [root]
    while waiting:
        box = waiting.pop()
        # An absolutely positioned box stands behind a placeholder in the flow.
        box = getattr(box, "_box", box)
        element = box.element
        if (
            element is not None
            and "::" not in (box.element_tag or "")
            and css_class in (element.get("class") or "").split()
        ):
            return box
        if isinstance(box, boxes.ParentBox):
            waiting.extend(reversed(box.children))
    return None


def text_fits(document: Document) -> bool:
    """Whether the centred text ends above the bottom of its clipped region."""
    # Anchors are (x1, y1, x2, y2) of the elements with these ids in the template.
    anchors = document.pages[0].anchors
    return anchors["text-end"][1] <= anchors["text-limit"][1]


def scaled_font_size(text: str, *, largest: float, smallest: float, fits: int) -> float:
    """Shrink text longer than `fits` characters to keep it on one line.

    Below `smallest` it wraps instead; the template clamps the number of lines.
    """
    if len(text) <= fits:
        return largest
    return round(max(largest * fits / len(text), smallest), 1)


def qr_svg(url: str, dark: str = DEFAULT_MAIN) -> SafeString:
    """The URL as an inline SVG QR code, sized by CSS."""
    # Level M survives a scuffed or creased print; a full-size symbol, not a
    # Micro QR, because phone camera apps do not read Micro QR codes.
    qr = segno.make(url, error="m", micro=False)
    # segno writes only its own markup: the URL is encoded in modules, not text.
    return mark_safe(qr.svg_inline(border=0, dark=dark, omitsize=True, svgclass="qr"))
