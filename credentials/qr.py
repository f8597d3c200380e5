"""QR codes for certificates: the symbol segno makes, its data mask chosen faster.

Segno tries the eight data masks of ISO/IEC 18004 on the symbol and scores each
(runs, blocks, finder-like patterns, balance) module by module in Python: four
fifths of its time, and a tenth of a certificate's. Here the symbol is made once
with mask 0, the masks are applied to whole rows as integers and scored with the
same rules on rows and columns as strings (tests.credentials.test_qr checks the
choice and the symbol against segno's own for many addresses).
"""

from functools import lru_cache

import segno
from segno import encoder

ERROR = "m"
FINDER_LIKE = "1011101"  # dark, light, dark ×3, light, dark (N3)
BITS = bytes.maketrans(b"\x00\x01", b"01")


def qr_matrix(url: str) -> tuple[bytearray, ...]:
    """The URL's QR code (level M, a full-size symbol) as rows of 0 and 1, the
    same as segno.make(url, error="m", micro=False).matrix."""
    # Level M survives a scuffed or creased print; a full-size symbol, not a
    # Micro QR, because phone camera apps do not read Micro QR codes.
    code = segno.make(url, error=ERROR, micro=False, mask=0)
    matrix = code.matrix
    if any(max(row) > 1 for row in matrix):  # pragma: no cover (not 0/1: segno's way)
        return segno.make(url, error=ERROR, micro=False).matrix
    size = len(matrix)
    region, function, masks, mask_columns = patterns(size)
    final = [int(bytes(row).translate(BITS), 2) for row in matrix]
    # The symbol before masking: the data unmasked, the function patterns as
    # laid out, the format and version areas as reserved (light).
    unmasked = [
        ((row ^ zero) & inside) | outside
        for row, zero, inside, outside in zip(
            final, masks[0], region, function, strict=True
        )
    ]
    # Its columns likewise, the first row the highest bit: a mask is applied
    # to them as to the rows.
    columns = transpose(unmasked, size)
    scores = [
        penalty(
            [row ^ mask for row, mask in zip(unmasked, pattern, strict=True)],
            [column ^ mask for column, mask in zip(columns, by_column, strict=True)],
            size,
        )
        for pattern, by_column in zip(masks, mask_columns, strict=True)
    ]
    best = scores.index(min(scores))  # the first of equals, as segno
    if best == 0:
        return matrix
    rows = tuple(
        bytearray(
            format(row ^ zero ^ mask, f"0{size}b")
            .encode()
            .translate(bytes.maketrans(b"01", b"\x00\x01"))
        )
        for row, zero, mask in zip(final, masks[0], masks[best], strict=True)
    )
    encoder.add_format_info(rows, code._version, code._error, best)
    return rows


@lru_cache(maxsize=40)
def patterns(size: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple, tuple]:
    """For a symbol of the size, per row as integers (the first column the
    highest bit): the data region, the dark function modules, and each mask's
    modules inside the data region, then per column."""
    base = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(base, size, size)
    encoder.add_alignment_patterns(base, size, size)

    def bits(test) -> tuple[int, ...]:
        return tuple(
            int("".join("1" if test(i, j) else "0" for j in range(size)), 2)
            for i in range(size)
        )

    region = bits(lambda i, j: base[i][j] > 0x1)
    function = bits(lambda i, j: base[i][j] == 0x1)
    masks = tuple(
        bits(lambda i, j, fn=fn: base[i][j] > 0x1 and bool(fn(i, j)))
        for fn in encoder.get_data_mask_functions(False)
    )
    return region, function, masks, tuple(transpose(mask, size) for mask in masks)


def transpose(rows, size: int) -> list[int]:
    """Rows as integers (the first column the highest bit) to columns (the
    first row the highest bit)."""
    text = [format(row, f"0{size}b") for row in rows]
    return [int("".join(column), 2) for column in zip(*text, strict=True)]


def penalty(rows: list[int], columns: list[int], size: int) -> int:
    """ISO/IEC 18004 7.8.3.1's penalty score of a masked symbol, as segno
    reckons it (encoder.mask_scores), from its rows and columns as integers."""
    # N1: each run of 5 + i modules of one colour in a row or column, 3 + i.
    # Bit k of `same` is set where modules k and k + 1 agree, of `five` where
    # modules k to k + 4 do: a run of n has n - 4 of those in one block, and
    # scores that plus 2 per block (a block's highest bit has none above it).
    pairs = (1 << (size - 1)) - 1
    n1 = 0
    for line in (*rows, *columns):
        same = ~(line ^ (line >> 1)) & pairs
        five = same & (same >> 1) & (same >> 2) & (same >> 3)
        if five:
            n1 += five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()
    # N2: each 2 × 2 block of one colour, 3.
    full = (1 << (size - 1)) - 1  # every column but the first
    n2 = 0
    for above, row in zip(rows, rows[1:], strict=False):
        same = ~(above ^ row)
        n2 += (same & (same >> 1) & ~(row ^ (row >> 1)) & full).bit_count()
    # N3: each finder-like pattern with four light modules before or after, 40.
    lines = [format(line, f"0{size}b") for line in (*rows, *columns)]
    n3 = sum(finder_like(line, size) for line in lines if FINDER_LIKE in line)
    # N4: 10 for each 5 % the dark modules are away from half.
    dark = sum(row.bit_count() for row in rows)
    n4 = 10 * int(abs(float(dark) / (size**2) * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4


def finder_like(line: str, size: int) -> int:
    """Segno's n3_pattern_occurrences on a row or column as a string."""
    count = 0
    index = line.find(FINDER_LIKE)
    while index != -1:
        offset = index + 7
        if (
            index in (0, size - 7)
            or "1" not in line[max(index - 4, 0) : min(index, size)]
            or "1" not in line[max(offset, 0) : min(offset + 4, size)]
        ):
            count += 40
        else:
            offset = index + 4
        index = line.find(FINDER_LIKE, offset)
    return count
