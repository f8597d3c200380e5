"""One-page PDF certificates for awards: pure rendering, no ORM."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import date

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML, Attachment, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

# Built once per process and shared by every render (shared PITFALLS.md, "PDF
# certificates"); the template has no @font-face rules that would add to it.
FONT_CONFIG = FontConfiguration()

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


# Names the template's design: change it when certificate_pdf.html changes so
# that the sweep renders existing certificates again.
CERTIFICATE_DESIGN = "a4-landscape-2"


# Appended to the design of a certificate rendered after its credential
# expired, which says so on its face.
EXPIRED_DESIGN = ":expired"


def design_key(logo: bytes) -> str:
    """The design a certificate is rendered with: the template and the logo."""
    if not logo:
        return CERTIFICATE_DESIGN
    return f"{CERTIFICATE_DESIGN}:{hashlib.sha256(logo).hexdigest()[:16]}"


def logo_data_uri(logo: bytes, content_type: str) -> str:
    if not logo:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(logo).decode('ascii')}"


def render_certificate_pdf(info: CertificateInfo) -> bytes:
    """Render a one-page A4 landscape certificate with the credential attached."""
    # Only data: URIs may be fetched: the page needs nothing from the network or
    # the file system, and learner-supplied text must not make a worker fetch.
    url_fetcher = URLFetcher(allowed_protocols={"data"})
    for slots in outcome_slot_counts(len(info.outcomes)):
        html = render_to_string(
            "credentials/certificate_pdf.html", certificate_context(info, slots)
        )
        document = HTML(string=html, url_fetcher=url_fetcher).render(
            font_config=FONT_CONFIG
        )
        # Only long text leaves too little room and costs another layout.
        if text_fits(document):
            break
    credential = Attachment(
        string=info.credential_json,
        name="credential.json",
        description="Signed Open Badges 3.0 credential",
        relationship="Data",
        url_fetcher=url_fetcher,
    )
    # The template positions every region and clips it, so nothing should reach
    # a second page; dropping any that does keeps one certificate one sheet.
    return document.copy(document.pages[:1]).write_pdf(attachments=[credential])


def certificate_context(info: CertificateInfo, outcome_slots: int) -> dict:
    """Shape CertificateInfo for the template, with text sizes chosen to fit."""
    outcomes = info.outcomes
    if len(outcomes) > outcome_slots:
        # The last slot says how many are left out.
        outcomes = outcomes[: max(outcome_slots - 1, 0)]
    more = len(info.outcomes) - len(outcomes) if outcomes else 0
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
        "qr_svg": qr_svg(info.verify_url),
    }


def outcome_slot_counts(total: int) -> list[int]:
    """Numbers of outcome slots worth trying, each showing fewer outcomes."""
    first = min(total, OUTCOME_SLOTS[0])
    return [first, *(n for n in OUTCOME_SLOTS if n < first)]


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


def qr_svg(url: str) -> SafeString:
    """The URL as an inline SVG QR code, sized by CSS."""
    # Level M survives a scuffed or creased print; a full-size symbol, not a
    # Micro QR, because phone camera apps do not read Micro QR codes.
    qr = segno.make(url, error="m", micro=False)
    # segno writes only its own markup: the URL is encoded in modules, not text.
    return mark_safe(
        qr.svg_inline(border=0, dark="#1d2b45", omitsize=True, svgclass="qr")
    )
