"""Logos checked by what the bytes are, not by the file's name or stated type."""

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 512 * 1024
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_PIXELS = 4096 * 4096
TOO_LARGE = "The image is too large (at most 4096×4096 pixels)."


class ImageTooLarge(ValueError):
    """An upload past MAX_PIXELS (or Pillow's decompression-bomb limit)."""


@contextmanager
def open_image(data: bytes) -> Iterator[Image.Image]:
    """Image.open for an uploaded file, refusing one past MAX_PIXELS before
    any pixel is decoded. Pillow only warns between its decompression-bomb
    limit and twice it, then decodes: the warning is an error here too."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageTooLarge(TOO_LARGE) from error
    with image:
        if image.width * image.height > MAX_PIXELS:
            raise ImageTooLarge(TOO_LARGE)
        yield image


def logo_type(content: bytes, *, field: str = "logo") -> str:
    """The media type of a PNG or JPEG logo; anything else is refused."""
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError({field: "A logo may be at most 512 KB."})
    try:
        with open_image(content) as image:
            image.verify()
            kind = image.format
    except ImageTooLarge as error:
        raise ValidationError({field: str(error)}) from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        message = "This file is not a PNG or JPEG image."
        raise ValidationError({field: message}) from error
    if kind not in LOGO_TYPES:
        raise ValidationError({field: "Upload the logo as PNG or JPEG."})
    return LOGO_TYPES[kind]
