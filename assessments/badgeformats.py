"""The one reader of credential files from elsewhere: JSON, a compact JWT, and
every baking form of Open Badges 2.0 and 3.0. Pure, no ORM.

Recognition (assessments.badgefiles) and verification by anyone
(credentials.baking) both open uploads here, so they see the same credential.

Baking, PNG: an iTXt chunk keyed "openbadgecredential" (OB 3.0 section 5.3.1) or
"openbadges" (OB 2.0 Baking), holding the credential JSON, a compact JWS/JWT, or
(OB 2.0) the URL of a hosted assertion. SVG: an <openbadges:credential> element
in namespace https://purl.imsglobal.org/ob/v3p0 (OB 3.0 section 5.3.2) or an
<openbadges:assertion> element in namespace http://openbadges.org (OB 2.0), with
the JSON as its text or the JWT (or OB 2.0 hosted URL) in its `verify` attribute.
"""

import base64
import binascii
import json
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORDS = (b"openbadgecredential", b"openbadges")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB3_SVG_ELEMENT = "{https://purl.imsglobal.org/ob/v3p0}credential"
OB2_SVG_ELEMENT = "{http://openbadges.org}assertion"
# Credentials are a few levels deep (an endorsement inside an achievement inside
# a subject); JSON-LD and schema processing recurse once per level, so a deeper
# document is refused before anything recurses over it.
MAX_DEPTH = 64
# A baked credential is kilobytes; a compressed chunk may not inflate past this.
MAX_TEXT = 5 * 1024 * 1024


class UnreadableFile(ValueError):
    """The file holds no credential that can be read; the message says why."""


class HostedLink(UnreadableFile):
    """The file holds only the URL of a hosted Open Badges assertion."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The badge holds only a link to a hosted assertion ({url}), which "
            "Cairn does not fetch; upload the assertion's JSON instead."
        )
        self.url = url


@dataclass(frozen=True)
class OpenedFile:
    """What a file holds: the credential, the JWT it came in (if any), and how it
    was baked ("png", "svg" or "")."""

    document: dict[str, Any]
    jwt: str = ""
    baked: str = ""


def png_texts(png: bytes) -> list[str]:
    texts = []
    offset = len(PNG_SIGNATURE)
    if offset + 12 > len(png):
        raise UnreadableFile("The PNG image has no end: it is cut short.")
    # Badge makers write slightly malformed images (a wrong length here and
    # there): read chunks while they last rather than refuse the whole image.
    while offset + 12 <= len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        body = png[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"IEND":
            break
        if kind not in (b"iTXt", b"tEXt", b"zTXt"):
            continue
        keyword, _, rest = body.partition(b"\x00")
        if keyword not in PNG_KEYWORDS:
            continue
        if kind == b"tEXt":
            text = rest
        elif kind == b"zTXt":
            text = _inflate(rest[1:])
        else:
            if len(rest) < 2:
                continue
            compressed, rest = rest[0], rest[2:]
            # After the flags come a language tag and a translated keyword, each
            # ended by a NUL; the text follows.
            _, _, rest = rest.partition(b"\x00")
            _, _, text = rest.partition(b"\x00")
            if compressed:
                text = _inflate(text)
        try:
            texts.append(text.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                "The badge image's credential is not UTF-8."
            ) from error
    return texts


def _inflate(data: bytes) -> bytes:
    try:
        inflater = zlib.decompressobj()
        text = inflater.decompress(data, MAX_TEXT)
    except zlib.error as error:
        raise UnreadableFile("The badge image's credential is damaged.") from error
    if inflater.unconsumed_tail:
        raise UnreadableFile("The badge image's credential is too large.")
    return text


def _svg_text(svg: bytes) -> str:
    try:
        root: Element = SafeET.fromstring(svg)
    except (SafeET.ParseError, DefusedXmlException) as error:
        raise UnreadableFile(f"The SVG image cannot be read: {error}") from error
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise UnreadableFile("This is not an SVG image.")
    for name in (OB3_SVG_ELEMENT, OB2_SVG_ELEMENT):
        element = root.find(f".//{name}")
        if element is None:
            continue
        if (element.text or "").strip():
            return element.text
        if (element.get("verify") or "").strip():
            return element.get("verify")
    raise UnreadableFile("The SVG image has no baked credential.")


def within_depth(value: Any) -> bool:
    """Whether a parsed JSON value nests no deeper than MAX_DEPTH (iteratively:
    the check itself must not recurse)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return True


def check_depth(value: Any) -> None:
    """Refuse JSON nested deeper than any credential is."""
    if not within_depth(value):
        raise UnreadableFile(
            f"The credential is nested more than {MAX_DEPTH} levels deep; no "
            "credential is, so it was not read."
        )


def parse_json(text: str) -> Any:
    """json.loads with a clear error for bad or absurdly nested JSON."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"The credential is not valid JSON ({error}).") from error
    except RecursionError as error:
        raise UnreadableFile(
            "The credential is nested too deeply to be read; no credential is."
        ) from error
    check_depth(value)
    return value


def _b64url_json(part: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return parse_json(raw.decode("utf-8"))
    except (binascii.Error, ValueError) as error:
        if isinstance(error, UnreadableFile):
            raise
        raise UnreadableFile("The JWT is not base64url-encoded JSON.") from error


def _is_compact_jws(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 3 and parts[0].startswith("ey") and bool(parts[1])


# Registered JWT claims OB 3.0 section 8.2.4 maps onto credential properties;
# they are not properties of the credential itself.
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})


def credential_of_jwt_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The credential a JWT carries: its `vc` claim (VC-JWT 1.1), or the payload
    less the registered claims (OB 3.0 and a signed OB 2.0 assertion)."""
    if isinstance(payload.get("vc"), dict):
        credential = dict(payload["vc"])
    else:
        credential = {
            name: value for name, value in payload.items() if name not in JWT_CLAIMS
        }
    # `exp` stands for the end of validity (OB 3.0 section 8.2.4.1): an expiry
    # said only there still counts.
    expires = payload.get("exp")
    if (
        isinstance(expires, int)
        and "validUntil" not in credential
        and "expirationDate" not in credential
    ):
        moment = datetime.fromtimestamp(expires, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        v1 = "https://www.w3.org/2018/credentials/v1" in (
            credential.get("@context") or []
        )
        credential["expirationDate" if v1 else "validUntil"] = moment
    return credential


def open_text(text: str, *, baked: str = "") -> OpenedFile:
    """The credential in text: JSON, or a compact JWT/JWS whose payload it is."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith(("http://", "https://")) and len(text.split()) == 1:
        raise HostedLink(text)
    if _is_compact_jws(text):
        header = _b64url_json(text.split(".")[0])
        payload = _b64url_json(text.split(".")[1])
        if not isinstance(header, dict) or not isinstance(payload, dict):
            raise UnreadableFile("The JWT's header or payload is not a JSON object.")
        return OpenedFile(credential_of_jwt_payload(payload), jwt=text, baked=baked)
    if not text.startswith(("{", "[")):
        raise UnreadableFile(
            "The file is not valid JSON, nor a JWT: Cairn reads credential JSON, a "
            "JWT, PDF certificates and PNG or SVG badges, and this file is none of "
            "them."
        )
    document = parse_json(text)
    if not isinstance(document, dict):
        raise UnreadableFile("The file holds JSON, but not a credential object.")
    return OpenedFile(document, baked=baked)


def open_file(data: bytes) -> OpenedFile:
    """The credential in an uploaded file: JSON, a JWT, or a baked PNG or SVG."""
    if data.startswith(PNG_SIGNATURE):
        texts = png_texts(data)
        if not texts:
            raise UnreadableFile(
                "The image is not a baked badge: it holds no credential."
            )
        return open_text(texts[0], baked="png")
    head = data[:512].lstrip()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE")):
        return open_text(_svg_text(data), baked="svg")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "The file is not a credential: it is neither UTF-8 text (JSON or a "
            "JWT) nor a PNG or SVG badge."
        ) from error
    return open_text(text)
