"""Images past Pillow's decompression-bomb limit, as a badge image or an
issuer logo, are a validation error with a clear message; nothing is kept."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from credentials.models import IssuerProfile
from curriculum import services


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims the size: Pillow reads the size before any pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


# Past twice the limit Pillow raises DecompressionBombError; past the limit,
# it warns (DecompressionBombWarning) and would go on decoding.
BOMBS = {
    "error": png_header(20_000, 20_000),
    "warning": png_header(10_000, 10_000),
}


def test_the_bombs_are_past_pillows_limits():
    assert 2 * Image.MAX_IMAGE_PIXELS < 20_000 * 20_000
    assert 2 * Image.MAX_IMAGE_PIXELS > 10_000 * 10_000 > Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_bomb_as_a_badge_image_is_refused(client, cast, bomb):
    client.force_login(cast["designer"])
    version = services.create_module_version(
        cast.organization, by=cast["designer"], code="B-1", title="Bomb"
    )
    response = _patch_badge(client, version, BOMBS[bomb])
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    version.refresh_from_db()
    assert not version.badge_image


def _patch_badge(client, version, data):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(
        BOUNDARY, {"badge_image": SimpleUploadedFile("b.png", data)}
    )
    return client.patch(
        f"/api/module-versions/{version.pk}/", body, content_type=MULTIPART_CONTENT
    )


@pytest.mark.parametrize("bomb", BOMBS)
def test_a_bomb_as_an_issuer_logo_is_refused(client, cast, bomb):
    client.force_login(cast["admin"])
    issuer = reverse("credentials:issuer", args=[cast.organization.slug])
    response = client.post(
        reverse("credentials:upload-logo", args=[cast.organization.slug]),
        {"logo": SimpleUploadedFile("logo.png", BOMBS[bomb])},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == issuer
    assert "too large" in response.text
    assert not IssuerProfile.objects.filter(
        organization=cast.organization, logo_type__gt=""
    ).exists()
