"""Reading a bulk award CSV: its columns under the names admins use, each row
checked on its own (dates, URL, lengths, NUL bytes, duplicates). No database
here: matching people and achievements is credentials.services.bulk_awards."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from accounts.people.roster import Problem
from credentials.openbadges import is_absolute_iri

MAX_ROWS = 20_000
COLUMNS = (
    "email",
    "number",
    "achievement",
    "issued_on",
    "narrative",
    "evidence_url",
    "expires_on",
)
HEADINGS = {
    "email": {"email", "emailaddress", "mail", "studentemail"},
    "number": {"number", "studentnumber", "studentno", "studentid", "idnumber"},
    "achievement": {
        "achievement",
        "module",
        "pathway",
        "code",
        "modulecode",
        "pathwaycode",
        "title",
    },
    "issued_on": {"issuedate", "issuedon", "issued", "date", "awarddate", "awarded"},
    "narrative": {"narrative", "description", "reason"},
    "evidence_url": {"evidenceurl", "evidence", "url", "evidencelink", "link"},
    "expires_on": {"expiry", "expirydate", "expires", "expireson", "validuntil"},
}
LIMITS = {
    "email": 254,
    "number": 64,
    "achievement": 200,
    "narrative": 2000,
    "evidence_url": 2000,
    "issued_on": 40,
    "expires_on": 40,
}
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class AwardRow:
    line: int
    email: str
    number: str
    achievement: str
    issued_on: date
    narrative: str
    evidence_url: str
    expires_on: date | None

    @property
    def person(self) -> str:
        return self.number or self.email


@dataclass
class AwardSheet:
    rows: list[AwardRow]
    problems: list[Problem]
    headings: dict[str, str]

    def heading(self, key: str) -> str:
        return self.headings.get(key, key)


class BulkFileError(ValidationError):
    """The file as a whole cannot be read; nothing in it is looked at."""


def _squash(name: str) -> str:
    return re.sub(r"[\s_.\-]", "", name).lower()


_KEY_FOR = {
    spelling: key for key, spellings in HEADINGS.items() for spelling in spellings
}


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise BulkFileError(
            f"Line {line}: the file is not UTF-8 text (byte {error.start}). Save it "
            "again as “CSV UTF-8” (Excel) or with UTF-8 encoding; nothing was "
            "awarded."
        ) from error


def parse_date(value: str) -> date | None:
    """A date written year-month-day, or None."""
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def read_awards(raw: bytes, *, today: date) -> AwardSheet:
    """Every row with its problems by line and column; a file that cannot be
    read at all raises BulkFileError."""
    reader = csv.reader(io.StringIO(_text(raw), newline=""))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise _csv_error(1, error) from error
    columns: dict[int, str] = {}
    headings: dict[str, str] = {}
    for index, name in enumerate(header):
        key = _KEY_FOR.get(_squash(name.replace("\x00", "")))
        if key and key not in headings:
            columns[index] = key
            headings[key] = name.strip()
    missing = [
        label
        for label, keys in (
            ("an e-mail or student number column", ("email", "number")),
            ("an achievement column", ("achievement",)),
            ("an issue date column", ("issued_on",)),
        )
        if not any(key in headings for key in keys)
    ]
    if missing:
        raise BulkFileError(
            "Line 1: the first line must name the columns: email (or "
            "student_number), achievement, issue_date, narrative, evidence_url and, "
            f"if you like, expiry. It has no {' and no '.join(missing)}."
        )
    sheet = AwardSheet(rows=[], problems=[], headings=headings)
    seen: dict[tuple, int] = {}
    line_end = 1
    try:
        for cells in reader:
            line, line_end = line_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise BulkFileError(
                    f"Line {line}: a bulk award holds at most {MAX_ROWS:,} rows; "
                    "split the file. Nothing was awarded."
                )
            row = _check_row(sheet, line, cells, columns, len(header), today)
            if row is None:
                continue
            key = (row.person.casefold(), row.achievement.casefold(), row.issued_on)
            if key in seen:
                sheet.problems.append(
                    Problem(
                        line,
                        "",
                        f"the same award as line {seen[key]} (same person, "
                        "achievement and issue date): remove one of them.",
                    )
                )
                continue
            seen[key] = line
            sheet.rows.append(row)
    except csv.Error as error:
        raise _csv_error(line_end + 1, error) from error
    if not sheet.rows and not sheet.problems:
        raise BulkFileError("The file has no rows below its first line.")
    return sheet


def _check_row(sheet, line, cells, columns, width, today) -> AwardRow | None:
    problems: list[Problem] = []

    def problem(key: str, message: str) -> None:
        problems.append(Problem(line, sheet.heading(key) if key else "", message))

    if len(cells) > width:
        problem("", f"{len(cells)} cells where the first line has {width}.")
        sheet.problems += problems
        return None
    values = dict.fromkeys(COLUMNS, "")
    for index, key in columns.items():
        values[key] = cells[index].strip() if index < len(cells) else ""
    for key, value in values.items():
        if "\x00" in value:
            problem(key, "holds a NUL character, which no text can: retype it.")
            values[key] = ""
        elif len(value) > LIMITS[key]:
            problem(
                key,
                f"{len(value):,} characters, longer than the {LIMITS[key]:,} allowed.",
            )
            values[key] = ""
    if problems:
        sheet.problems += problems
        return None
    if not values["email"] and not values["number"]:
        problem("email", "no e-mail and no student number: who is it for?")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problem("email", f"“{values['email']}” is not an e-mail address.")
    if not values["achievement"]:
        problem("achievement", "empty: write the module or pathway code, or its title.")
    issued_on = parse_date(values["issued_on"])
    if not values["issued_on"]:
        problem("issued_on", "empty: write the issue date as year-month-day.")
    elif issued_on is None:
        problem(
            "issued_on",
            f"“{values['issued_on']}” is not a date: write it as year-month-day, "
            "for example 2026-03-01.",
        )
    elif issued_on > today:
        problem("issued_on", "is in the future: an award is issued on or before today.")
    expires_on = None
    if values["expires_on"]:
        expires_on = parse_date(values["expires_on"])
        if expires_on is None:
            problem(
                "expires_on",
                f"“{values['expires_on']}” is not a date: write it as "
                "year-month-day, or leave it empty.",
            )
        elif issued_on and expires_on <= issued_on:
            problem("expires_on", "is not after the issue date.")
        elif expires_on <= today:
            problem(
                "expires_on",
                "is today or past: the credential would have expired already.",
            )
    if values["evidence_url"]:
        try:
            _url(values["evidence_url"])
            if not is_absolute_iri(values["evidence_url"]):
                raise ValidationError("not an IRI")
        except ValidationError:
            problem(
                "evidence_url",
                "not a web address: write one starting with https:// or leave it "
                "empty.",
            )
    if problems:
        sheet.problems += problems
        return None
    return AwardRow(
        line=line,
        email=values["email"],
        number=values["number"],
        achievement=values["achievement"],
        issued_on=issued_on,
        narrative=values["narrative"],
        evidence_url=values["evidence_url"],
        expires_on=expires_on,
    )


def _csv_error(line: int, error: csv.Error) -> BulkFileError:
    if "field larger than field limit" in str(error):
        return BulkFileError(
            f"Line {line}: a cell is longer than {csv.field_size_limit():,} "
            "characters, which no award's cell is (a stray quote mark?); nothing "
            "was awarded."
        )
    return BulkFileError(
        f"Line {line}: the file is not readable as CSV ({error}); nothing was awarded."
    )
