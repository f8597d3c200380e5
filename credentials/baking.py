"""Open Badges 3.0 baking: the signed credential inside a PNG or SVG image, and
reading a credential back out of any file a visitor uploads (a Cairn PDF here;
every other form through assessments.badgeformats, the one reader of outside
formats that recognition uses too). Pure, no ORM.

Spec: OB 3.0 section 5.3 "Baking". PNG: one iTXt chunk, keyword
"openbadgecredential", uncompressed, holding the credential JSON. SVG: an
<openbadges:credential> element (namespace https://purl.imsglobal.org/ob/v3p0)
first inside <svg>, holding the JSON in CDATA.
"""

import io
import json
import struct
import zlib
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from assessments import badgeformats

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PDF_ATTACHMENT = "credential.json"


class NoCredentialFound(ValueError):
    """The file holds no credential Cairn can read; the message says why."""


class HostedLink(NoCredentialFound):
    """The badge holds only the URL of a hosted assertion, which is not fetched."""

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


def _chunks(png: bytes):
    if not png.startswith(PNG_SIGNATURE):
        raise NoCredentialFound("This is not a PNG image.")
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise NoCredentialFound("The PNG image is cut short.")
        yield kind, png[offset + 8 : offset + 8 + length], png[offset:end]
        offset = end
        if kind == b"IEND":
            return
    raise NoCredentialFound("The PNG image has no end.")


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def bake_png(png: bytes, credential: dict[str, Any]) -> bytes:
    """The image with the credential baked in, replacing any baked before."""
    text = json.dumps(credential, ensure_ascii=False).encode("utf-8")
    # keyword, NUL, compression flag 0, method 0, empty language, NUL, empty
    # translated keyword, NUL, then the text.
    itxt = _chunk(b"iTXt", PNG_KEYWORD + b"\x00\x00\x00\x00\x00" + text)
    out = [PNG_SIGNATURE]
    for kind, data, raw in _chunks(png):
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == PNG_KEYWORD:
            continue
        if kind == b"IEND":
            out.append(itxt)
        out.append(raw)
    return b"".join(out)


def svg_credential_element(credential: dict[str, Any]) -> str:
    """The <openbadges:credential> element for an SVG, JSON in CDATA."""
    text = json.dumps(credential, ensure_ascii=False, indent=1)
    # "]]>" would end the CDATA section early; split it across two sections.
    text = text.replace("]]>", "]]]]><![CDATA[>")
    return f"<openbadges:credential><![CDATA[{text}]]></openbadges:credential>"


def extract_pdf(pdf: bytes) -> str:
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
    except (PdfReadError, ValueError, KeyError) as error:
        raise NoCredentialFound(f"The PDF cannot be read: {error}") from error
    found = attachments.get(PDF_ATTACHMENT)
    if not found:
        raise NoCredentialFound(
            f"The PDF has no {PDF_ATTACHMENT} attachment: it is not a Cairn "
            "certificate, or the attachment was removed."
        )
    return found[0].decode("utf-8")


def open_file(content: bytes) -> badgeformats.OpenedFile:
    """The credential in a Cairn PDF, or in any file the one reader of outside
    formats opens: JSON, a JWT, a baked PNG or SVG badge (OB 2.0 or 3.0)."""
    try:
        if content.startswith(b"%PDF-"):
            return badgeformats.open_text(extract_pdf(content))
        return badgeformats.open_file(content)
    except badgeformats.HostedLink as link:
        raise HostedLink(str(link), link.url) from link
    except badgeformats.UnreadableFile as error:
        raise NoCredentialFound(str(error)) from error


def open_text(text: str) -> badgeformats.OpenedFile:
    """The credential in pasted text: JSON or a JWT."""
    try:
        return badgeformats.open_text(text)
    except badgeformats.HostedLink as link:
        raise HostedLink(str(link), link.url) from link
    except badgeformats.UnreadableFile as error:
        raise NoCredentialFound(str(error)) from error


def credential_from_file(content: bytes) -> dict[str, Any]:
    """The credential in a JSON file, a Cairn PDF or a baked PNG or SVG badge."""
    return open_file(content).document


def extract_png(png: bytes) -> str:
    """The text baked into a PNG badge (either keyword), as stored."""
    try:
        texts = badgeformats.png_texts(png)
    except badgeformats.UnreadableFile as error:
        raise NoCredentialFound(str(error)) from error
    if not texts:
        raise NoCredentialFound("The PNG image has no baked credential.")
    return texts[0]
