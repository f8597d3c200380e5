"""Checks on evidence files: size, and type judged by content, not by name."""

from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# Evidence a grader can open safely in a browser or office suite.
ACCEPTED_TYPES = {
    "application/pdf": "PDF document",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "text/plain": "plain text",
    "application/zip": "ZIP archive (including Word, Excel and PowerPoint files)",
}


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    content_type: str


def _sniff(head: bytes) -> str:
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type in ACCEPTED_TYPES:
            return match.mime_type
        # Office documents are ZIP containers; puremagic names them by extension.
        if match.mime_type.startswith("application/vnd.openxmlformats"):
            return "application/zip"
    if head and _looks_like_text(head):
        return "text/plain"
    return matches[0].mime_type if matches and matches[0].mime_type else "unknown"


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the end of the sample.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def check_upload(upload: UploadedFile) -> CheckedFile:
    limit = settings.CAIRN_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"{upload.name} is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB.",
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(f"{upload.name} is empty.", code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = _sniff(head)
    if content_type not in ACCEPTED_TYPES:
        accepted = ", ".join(ACCEPTED_TYPES.values())
        raise ValidationError(
            f"{upload.name} is not a file type Cairn accepts as evidence "
            f"(its content looks like {content_type}). Accepted: {accepted}.",
            code="bad_type",
        )
    return CheckedFile(upload=upload, content_type=content_type)
