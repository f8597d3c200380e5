"""Logos checked by what the bytes are, not by the file's name or stated type."""

import io

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_type(content: bytes, *, field: str = "logo") -> str:
    """The media type of a PNG or JPEG logo; anything else is refused."""
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError({field: "A logo may be at most 512 KB."})
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        message = "This file is not a PNG or JPEG image."
        raise ValidationError({field: message}) from error
    if kind not in LOGO_TYPES:
        raise ValidationError({field: "Upload the logo as PNG or JPEG."})
    return LOGO_TYPES[kind]
