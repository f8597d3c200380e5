"""One-page PDF certificates for awards: pure rendering, no ORM.

The page is shaped and laid out by credentials/certificate_html.py; a PDF is
composed of the design's layer, laid out once per template version and
achievement, and the learner's layer (credentials/certificate_layers.py).
"""

import base64
import hashlib

from weasyprint import Attachment, Document

from credentials.certificate_design import DEFAULT_DESIGN, CertificateDesign
from credentials.certificate_html import (  # noqa: F401 (the module's interface)
    FONT_CONFIG,
    OUTCOME_SLOTS,
    CertificateInfo,
    certificate_context,
    colours,
    data_only,
    font_config,
    full_document,
    layout,
    outcome_slot_counts,
    qr_svg,
    scaled_font_size,
    text_fits,
)
from credentials.certificate_layers import layered_pdf

# Names the template's design: change it when certificate_pdf.html changes so
# that the sweep renders existing certificates again. (Templates, issue 16, left
# the built-in design's page as it was: no mass re-render for them.)
CERTIFICATE_DESIGN = "a4-landscape-2"


# Appended to the design of a certificate rendered after its credential
# expired, which says so on its face.
EXPIRED_DESIGN = ":expired"
# The same for a revoked and a suspended credential ("Revoked on …").
REVOKED_DESIGN = ":revoked"
SUSPENDED_DESIGN = ":suspended"
STATUS_DESIGNS = ("", EXPIRED_DESIGN, REVOKED_DESIGN, SUSPENDED_DESIGN)


def design_key(logo: bytes) -> str:
    """The design a certificate is rendered with: the template and the logo."""
    if not logo:
        return CERTIFICATE_DESIGN
    return f"{CERTIFICATE_DESIGN}:{hashlib.sha256(logo).hexdigest()[:16]}"


def logo_data_uri(logo: bytes, content_type: str) -> str:
    if not logo:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(logo).decode('ascii')}"


def render_certificate_pdf(
    info: CertificateInfo, design: CertificateDesign = DEFAULT_DESIGN
) -> bytes:
    """Render a one-page certificate in the design with the credential attached.

    Composed of the design's layer, cached, and the learner's; a certificate
    whose learner's parts do not sit where the design's layer left room for
    them (a name in a taller fallback font) is laid out whole instead."""
    attachment = credential_attachment(info)
    pdf = layered_pdf(info, design, attachment)
    if pdf is None:
        _, document = full_document(info, design)
        pdf = write_one_page(document, attachment)
    return pdf


def render_certificate_html(
    info: CertificateInfo, design: CertificateDesign = DEFAULT_DESIGN
) -> str:
    """The certificate's HTML as the PDF is laid out from (the designer's preview)."""
    return full_document(info, design, inline_style=True)[0]


def credential_attachment(info: CertificateInfo) -> Attachment:
    return Attachment(
        string=info.credential_json,
        name="credential.json",
        description="Signed Open Badges 3.0 credential",
        relationship="Data",
        url_fetcher=data_only(),
    )


def write_one_page(document: Document, attachment: Attachment) -> bytes:
    # The template positions every region and clips it, so nothing should reach
    # a second page; dropping any that does keeps one certificate one sheet.
    return document.copy(document.pages[:1]).write_pdf(attachments=[attachment])
