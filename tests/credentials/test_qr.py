"""The certificate's QR code (credentials/qr.py) is the symbol segno makes: the
same data mask chosen by the same penalty rules, module for module."""

import random
import string
import uuid

import pytest
import segno

from credentials.qr import qr_matrix

RANDOM = random.Random(17)
ADDRESSES = [
    *(f"https://cairn.example/credentials/{uuid.UUID(int=RANDOM.getrandbits(128))}/"
      for _ in range(60)),
    # Other lengths, so other versions (sizes, alignment patterns, version areas).
    *("https://verify.example.edu/" + "".join(
        RANDOM.choices(string.ascii_letters + string.digits + "/-_.", k=n))
      for n in (1, 20, 45, 70, 100, 140, 200, 260, 330)
      for _ in range(8)),
]  # fmt: skip


def test_the_symbol_and_its_mask_are_segnos_for_every_address():
    masks = set()
    for url in ADDRESSES:
        expected = segno.make(url, error="m", micro=False)
        masks.add(expected.mask)
        assert [bytes(row) for row in qr_matrix(url)] == [
            bytes(row) for row in expected.matrix
        ], url
    # Every one of the eight masks was chosen for some address.
    assert masks == set(range(8))
    sizes = {len(qr_matrix(url)) for url in ADDRESSES}
    # Versions 3 to 9 at least.
    assert min(sizes) <= 29
    assert max(sizes) >= 53


@pytest.mark.parametrize("url", ["https://cairn.example/v/", "x" * 120])
def test_a_symbol_is_rows_of_zero_and_one(url):
    matrix = qr_matrix(url)
    assert len(matrix) == len(matrix[0])
    assert {value for row in matrix for value in row} == {0, 1}
