"""CSV cells that are safe to open in a spreadsheet; every app's downloads use it."""

# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV
# injection"), and much of what is downloaded was typed by people: titles,
# names, reasons.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value, quoted with a leading apostrophe if it would run as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
