"""Reading a registrar's roster CSV: its columns under the names registrars
use, each row checked on its own. No database here: matching the rows to
people is accounts.people.selectors.roster_matches, the import is
pathways.roster (it also fills cohorts and enrols in pathways)."""

import csv
import io
import re
from dataclasses import dataclass

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import Membership

Role = Membership.Role
MAX_ROWS = 20_000  # a large college's intake; bigger files go in parts

COLUMNS = ("email", "given_name", "family_name", "number", "role", "cohort", "pathway")
# Headings as registrars' systems spell them, compared without case, spaces,
# hyphens, underscores or dots ("E-mail Address" = "emailaddress").
HEADINGS = {
    "email": {"email", "emailaddress", "mail", "studentemail", "primaryemail"},
    "given_name": {"givenname", "firstname", "forename", "first", "given"},
    "family_name": {"familyname", "lastname", "surname", "last", "family"},
    "number": {
        "number",
        "studentnumber",
        "studentno",
        "studentid",
        "staffnumber",
        "staffno",
        "staffid",
        "employeeid",
        "employeenumber",
        "personid",
        "idnumber",
        "sisid",
        "sisuserid",
    },
    "role": {"role", "roles", "usertype"},
    "cohort": {"cohort", "cohortname", "group", "class", "section"},
    "pathway": {
        "pathway",
        "pathwaycode",
        "programme",
        "programmecode",
        "program",
        "programcode",
    },
}
ROLE_WORDS = {
    "": Role.LEARNER,
    "learner": Role.LEARNER,
    "student": Role.LEARNER,
    "faculty": Role.FACULTY,
    "teacher": Role.FACULTY,
    "instructor": Role.FACULTY,
    "lecturer": Role.FACULTY,
    "designer": Role.DESIGNER,
    "reviewer": Role.REVIEWER,
    "admin": Role.ADMIN,
    "administrator": Role.ADMIN,
}
LIMITS = {
    "email": 254,
    "given_name": 150,
    "family_name": 150,
    "number": 64,
    "cohort": 120,
    "pathway": 40,
}


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # the heading as the file spells it; "" for the whole line
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}"
        if self.column:
            where += f", column “{self.column}”"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    given_name: str
    family_name: str
    number: str
    role: str
    cohort: str
    pathway: str


@dataclass
class RosterSheet:
    rows: list[RosterRow]
    problems: list[Problem]
    headings: dict[str, str]  # column key -> heading as in the file

    def heading(self, key: str) -> str:
        return self.headings.get(key, key)


class RosterFileError(ValidationError):
    """The file as a whole cannot be read; nothing in it is looked at."""


def _squash(name: str) -> str:
    return re.sub(r"[\s_.\-]", "", name).lower()


_KEY_FOR = {
    spelling: key for key, spellings in HEADINGS.items() for spelling in spellings
}


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RosterFileError(
            f"Byte {error.start}: the file is not UTF-8 text. Save it again as "
            "“CSV UTF-8” (Excel) or with UTF-8 encoding; nothing was imported."
        ) from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RosterFileError(
            f"Line {line}: the file holds a NUL character, which no text can "
            "(is it a spreadsheet rather than CSV?). Save it again as CSV; "
            "nothing was imported."
        )
    return text


def _csv_error(line: int, error: csv.Error) -> RosterFileError:
    if "field larger than field limit" in str(error):
        return RosterFileError(
            f"Line {line}: a cell is longer than {csv.field_size_limit():,} "
            "characters, which no roster cell is (a stray quote mark?); nothing "
            "was imported."
        )
    return RosterFileError(
        f"Line {line}: the file is not readable as CSV ({error}); nothing was imported."
    )


def read_roster(raw: bytes) -> RosterSheet:
    """Every row of the file with its problems by line and column; a file that
    cannot be read at all raises RosterFileError."""
    reader = csv.reader(io.StringIO(_text(raw), newline=""))
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise _csv_error(1, error) from error
    columns: dict[int, str] = {}
    headings: dict[str, str] = {}
    problems: list[Problem] = []
    for index, name in enumerate(header):
        key = _KEY_FOR.get(_squash(name))
        if key and key not in headings:
            columns[index] = key
            headings[key] = name.strip()
    if "email" not in headings:
        raise RosterFileError(
            "Line 1: no e-mail column. The first line names the columns: email, "
            "given_name, family_name, student_number, role, cohort, pathway "
            "(common spellings such as “E-mail Address” or “Last Name” work too)."
        )
    sheet = RosterSheet(rows=[], problems=problems, headings=headings)
    seen_email: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise RosterFileError(
                    f"Line {line}: a roster holds at most {MAX_ROWS:,} people; "
                    "split the file. Nothing was imported."
                )
            if len(cells) > len(header):
                problems.append(
                    Problem(
                        line,
                        "",
                        f"{len(cells)} cells where the header has {len(header)}.",
                    )
                )
                continue
            values = dict.fromkeys(COLUMNS, "")
            for index, key in columns.items():
                values[key] = cells[index].strip() if index < len(cells) else ""
            row = _check_row(line, values, sheet)
            if row is None:
                continue
            email_key = row.email.casefold()
            if email_key in seen_email:
                problems.append(
                    Problem(
                        line,
                        sheet.heading("email"),
                        f"{row.email} is also on line {seen_email[email_key]}.",
                    )
                )
                continue
            seen_email[email_key] = line
            if row.number:
                if row.number in seen_number:
                    problems.append(
                        Problem(
                            line,
                            sheet.heading("number"),
                            f"{row.number} is also on line {seen_number[row.number]}.",
                        )
                    )
                    continue
                seen_number[row.number] = line
            sheet.rows.append(row)
    except csv.Error as error:
        raise _csv_error(line + 1, error) from error
    if not sheet.rows and not problems:
        raise RosterFileError("Line 2: the file has a header but no people.")
    return sheet


def _check_row(line: int, values: dict[str, str], sheet: RosterSheet):
    found = []
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            found.append(
                Problem(line, sheet.heading(key), f"longer than {limit} characters.")
            )
    email = values["email"]
    if not email:
        found.append(Problem(line, sheet.heading("email"), "empty."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            found.append(
                Problem(line, sheet.heading("email"), f"“{email}” is not an e-mail.")
            )
    role = ROLE_WORDS.get(values["role"].casefold())
    if role is None:
        found.append(
            Problem(
                line,
                sheet.heading("role"),
                f"“{values['role']}” is not a role (use learner, faculty, designer, "
                "reviewer or admin; empty means learner).",
            )
        )
    elif values["cohort"] and role not in (Role.LEARNER, Role.FACULTY):
        found.append(
            Problem(
                line,
                sheet.heading("cohort"),
                "only learners and faculty join cohorts.",
            )
        )
    elif values["pathway"] and role != Role.LEARNER:
        found.append(
            Problem(line, sheet.heading("pathway"), "only learners enrol in pathways.")
        )
    if found:
        sheet.problems.extend(found)
        return None
    return RosterRow(
        line=line,
        email=BaseUserManager.normalize_email(email),
        given_name=values["given_name"],
        family_name=values["family_name"],
        number=values["number"],
        role=role,
        cohort=values["cohort"],
        pathway=values["pathway"],
    )
