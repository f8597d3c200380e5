"""CSV that is safe to open in a spreadsheet: every CSV Cairn writes is written
through `writer`, and every CSV Cairn reads back takes its cells through
`read_cell`."""

import csv
from typing import Any

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# injection"), and much of what is downloaded was typed by people: titles,
# names, reasons.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, quoted with a leading apostrophe if it would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def read_cell(value: str) -> str:
    """A cell as written before safe_cell quoted it: Cairn's own exports import
    back unchanged (spreadsheets hide the apostrophe alike)."""
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS and value[1:2]:
        return value[1:]
    return value


class _SafeWriter:
    def __init__(self, file, **options):
        self._writer = csv.writer(file, lineterminator="\n", **options)

    def writerow(self, row) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> _SafeWriter:
    """csv.writer whose every cell goes through safe_cell (lines end in \\n)."""
    return _SafeWriter(file, **options)
