"""Importing participants from a CSV file a coordinator exported from a spreadsheet.

The whole file is checked and every problem is listed by row and column, numbered as
the spreadsheet shows them (the header is row 1, the first person row 2; row 0 means
the file as a whole). Nothing is written until the file is clean; then everyone is
enrolled in one transaction through ``services.participants_invite``, which emails the
invitations once that transaction commits.

Reading and checking (``decode_upload``, ``csv_parse``, ``rows_check``) are pure
functions of the file and of what is already enrolled; the ``participant_import_*``
services at the end add the database, and the tasks in ``programs.import_tasks`` run
them in the background for large files.

Decisions a coordinator may want to know about:

- Columns: name, email, role, department, job title, manager's email, location, time
  zone, in any order, with forgiving spellings ("E-mail", "job_title", "Manager's email",
  "timezone"). Email and role are required, in the header and on every row. Name is
  optional: without it invitations greet people by email address until they fill in
  their profile, and a notice says so. Everything else is optional.
- An unknown column is a problem, not dropped silently: it is usually a misspelt known
  column ("Departmnet"), and dropping it would lose what the coordinator typed. Columns
  with neither a header nor values (trailing separators) are ignored.
- Commas, semicolons (Excel in many European locales) and tabs are all accepted; anything
  but a comma gets a notice.
- UTF-8 with or without a byte order mark, and UTF-16/32 with one (or UTF-16 without),
  are read as such. Anything else is read as Windows-1252 (a superset of Latin-1's
  printable characters) with a notice asking to check the accents in the sample. Bytes
  that are text in none of these, and binary files (an Excel workbook, a PDF), are a
  problem that says how to save the sheet as CSV.
- Blank rows are skipped (with a notice); they still count in the row numbers, as in
  the spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import functools
import io
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.csv_export import csv_text
from mentoring.deferred import task_defer
from mentoring.models import User
from mentoring.validators import name_problem
from programs.models import Participant, ParticipantImport, Program
from programs.services import Invitee, ProgramError, participants_invite

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
# Files up to this many people are checked and applied inside the request (well under a
# second); larger ones run as Celery tasks while the page shows their progress.
INLINE_MAX_ROWS = 500
# The background check writes its progress once per this many rows: ten small UPDATEs
# for the largest file, and the page, which polls every second, still moves smoothly.
PROGRESS_EVERY = 1_000
# A file with thousands of problems has one systematic mistake (a wrong column, a wrong
# separator); listing the first 5,000 keeps the stored list under about 1 MB.
MAX_LISTED_PROBLEMS = 5_000
SAMPLE_SIZE = 5
# A shown value is cut here; the page truncates further.
VALUE_KEEP = 200


class Problem(TypedDict):
    row: int  # as the spreadsheet numbers it; 0 is the file as a whole, 1 the header
    column: str  # the column's header as written in the file ("" for the whole row/file)
    letter: str  # the spreadsheet's column letter ("" when not about one column)
    value: str
    message: str


@dataclass(frozen=True)
class Column:
    field: str  # the Invitee and Participant field it fills
    label: str  # how the template file and the messages name it
    keys: frozenset[str]  # accepted spellings, compared after header_key()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "name", frozenset({"name", "fullname", "participantname"})),
    Column(
        "email",
        "email",
        frozenset({"email", "emailaddress", "workemail", "mail"}),
        required=True,
    ),
    Column("role", "role", frozenset({"role", "programrole"}), required=True),
    Column("department", "department", frozenset({"department", "dept"})),
    Column("job_title", "job title", frozenset({"jobtitle", "title", "position"})),
    Column(
        "manager_email",
        "manager's email",
        frozenset(
            {
                "manageremail",
                "managersemail",
                "manageremailaddress",
                "managersemailaddress",
                "manager",
            }
        ),
    ),
    Column("location", "location", frozenset({"location", "office", "city"})),
    Column("time_zone", "time zone", frozenset({"timezone", "tz"})),
)
TEMPLATE_HEADER = [column.label for column in COLUMNS]
_COLUMN_BY_KEY = {key: column for column in COLUMNS for key in column.keys}


def _max_length(name: str) -> int:
    model_field = Participant._meta.get_field(name)
    if not isinstance(model_field, models.CharField):  # EmailField is one too
        raise TypeError(f"Participant.{name} is not a text field")
    return int(model_field.max_length or 0)


_MAX_LENGTH: dict[str, int] = {column.field: _max_length(column.field) for column in COLUMNS}
ROLES = frozenset(Participant.Role.values)

DELIMITERS = (",", ";", "\t")

_BOMS = (
    # UTF-32 first: its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
# Control characters never found in a text export (tab, line feed, vertical tab, form
# feed and carriage return are allowed); their presence means a binary file.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def header_key(text: str) -> str:
    """A header reduced to letters and digits: "Manager's E-mail" -> "managersemail"."""
    return re.sub(r"[\W_]+", "", text.replace("\ufeff", "").lower())


def column_letter(index: int) -> str:
    """The spreadsheet's name of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@functools.cache
def _time_zones() -> dict[str, str]:
    """Every IANA name the server knows, by its lowercase spelling (computed once)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _problem(
    row: int, message: str, *, column: str = "", index: int = -1, value: str = ""
) -> Problem:
    return {
        "row": row,
        "column": column,
        "letter": column_letter(index) if index >= 0 else "",
        "value": value[:VALUE_KEEP],
        "message": message,
    }


def _file_problem(message: str) -> Problem:
    return _problem(0, message)


# ------------------------------------------------------------------------------
# Reading the bytes
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    notices: list[str] = field(default_factory=list)
    problem: str = ""  # set when the file cannot be read as text at all


def _save_as_csv_hint() -> str:
    return _(
        'In Excel or Numbers, save the sheet as "CSV UTF-8 (comma delimited)" and upload that.'
    )


def decode_upload(data: bytes) -> Decoded:
    """The file's text, with a notice for anything unusual about its encoding."""
    if not data.strip(b" \t\r\n"):
        return Decoded("", problem=_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return Decoded(
            "",
            problem=_("This is a spreadsheet workbook (.xlsx or .xls), not a CSV file.")
            + " "
            + _save_as_csv_hint(),
        )
    if data.startswith(b"%PDF"):
        return Decoded("", problem=_("This is a PDF, not a CSV file.") + " " + _save_as_csv_hint())
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return Decoded(
                    "",
                    problem=_(
                        "The file says it is %(encoding)s but is not valid %(encoding)s, so it "
                        "cannot be read."
                    )
                    % {"encoding": name}
                    + " "
                    + _save_as_csv_hint(),
                )
            if name == "UTF-8":
                notice = _(
                    'The file starts with a byte order mark (BOM), as Excel\'s "CSV UTF-8" '
                    "writes it. It was read as UTF-8; nothing to do."
                )
            else:
                notice = _(
                    'The file is encoded as %(encoding)s (as Excel\'s "Unicode text" saves it). '
                    "It was read correctly; nothing to do."
                ) % {"encoding": name}
            return _text_checked(text.lstrip("\ufeff"), [notice])
    if b"\x00" in data:
        # UTF-16 without a byte order mark: every other byte of plain text is zero.
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            return Decoded("", problem=_not_text_message())
        notice = _("The file is encoded as UTF-16 without a byte order mark. It was read as such.")
        return _text_checked(text, [notice])
    try:
        return _text_checked(data.decode("utf-8"), [])
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes Windows-1252 leaves undefined are control characters in Latin-1
        # too: this is not text in any Western encoding.
        return Decoded("", problem=_not_text_message())
    notice = _(
        "The file is not UTF-8, so it was read as Windows-1252 (Western European, which "
        "includes Latin-1). Check that accented names look right in the sample below; if "
        'not, save the file as "CSV UTF-8" and upload it again.'
    )
    return _text_checked(text, [notice])


def _not_text_message() -> str:
    return _("The file could not be read as text.") + " " + _save_as_csv_hint()


def _text_checked(text: str, notices: list[str]) -> Decoded:
    if _NOT_TEXT.search(text):
        return Decoded("", notices, problem=_not_text_message())
    if not text.strip():
        return Decoded("", notices, problem=_("The file is empty."))
    return Decoded(text, notices)


# ------------------------------------------------------------------------------
# Reading the rows
# ------------------------------------------------------------------------------


@dataclass
class ParsedFile:
    delimiter: str = ","
    header: list[str] = field(default_factory=list)  # as written
    columns: dict[str, int] = field(default_factory=dict)  # field -> index (first occurrence)
    unnamed: set[int] = field(default_factory=set)  # indexes of columns with no header
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)
    problems: list[Problem] = field(default_factory=list)  # about the file or the header
    notices: list[str] = field(default_factory=list)
    # Nothing in the rows can be checked (no header, too many rows, ...).
    fatal: bool = False


def _delimiter_detect(first_line: str) -> str:
    """The separator under which the header names the most known columns."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        known = sum(header_key(cell) in _COLUMN_BY_KEY for cell in cells)
        return known, len(cells)

    # On a tie the comma wins (max keeps the first of equals).
    return max(DELIMITERS, key=score)


def csv_parse(text: str) -> ParsedFile:
    """Split the text into a header and rows; report what is wrong with the file or header."""
    parsed = ParsedFile()
    if not text.strip():
        parsed.problems.append(_file_problem(_("The file is empty.")))
        parsed.fatal = True
        return parsed
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    parsed.delimiter = _delimiter_detect(first_line)
    if parsed.delimiter == ";":
        parsed.notices.append(
            _(
                "The columns are separated by semicolons (as Excel saves CSV in many European "
                "languages). That works; nothing to do."
            )
        )
    elif parsed.delimiter == "\t":
        parsed.notices.append(_("The columns are separated by tabs. That works; nothing to do."))

    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=parsed.delimiter)
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        parsed.problems.append(
            _problem(
                len(records) + 1,
                _(
                    "This row could not be read (%(error)s). Often a double quote opens a "
                    "value and is never closed."
                )
                % {"error": error},
            )
        )
        parsed.fatal = True
        return parsed

    parsed.header = [cell.strip() for cell in records[0]] if records else []
    if not any(parsed.header):
        parsed.problems.append(
            _problem(
                1,
                _("The first row must name the columns (%(columns)s); it is empty.")
                % {"columns": ", ".join(TEMPLATE_HEADER)},
            )
        )
        parsed.fatal = True
        return parsed
    _header_read(parsed)

    skipped = 0
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record):
            parsed.rows.append((number, record))
        else:
            skipped += 1
    if skipped:
        parsed.notices.append(
            ngettext(
                "%(count)d empty row was skipped.", "%(count)d empty rows were skipped.", skipped
            )
            % {"count": skipped}
        )
    if not parsed.rows:
        parsed.problems.append(
            _file_problem(
                _("There is nobody to invite: the file has a header row but no rows below it.")
            )
        )
        parsed.fatal = True
    elif len(parsed.rows) > MAX_ROWS:
        parsed.problems.append(
            _file_problem(
                _(
                    "The file has %(count)s people; one import takes at most %(max)s. Split it "
                    "into several files."
                )
                % {"count": f"{len(parsed.rows):,}", "max": f"{MAX_ROWS:,}"}
            )
        )
        parsed.fatal = True
    return parsed


def _header_read(parsed: ParsedFile) -> None:
    expected = ", ".join(TEMPLATE_HEADER)
    found: dict[int, Column] = {}
    for index, label in enumerate(parsed.header):
        if not label:
            parsed.unnamed.add(index)
            continue
        column = _COLUMN_BY_KEY.get(header_key(label))
        if column is not None:
            found[index] = column
    if not found:
        # Probably no header at all: the first row holds a person.
        parsed.problems.append(
            _problem(
                1,
                _(
                    "The first row must name the columns (%(columns)s), but none of its cells "
                    "is a column this import knows. Add a header row, or download the template."
                )
                % {"columns": expected},
                value=", ".join(cell for cell in parsed.header if cell),
            )
        )
        parsed.fatal = True
        return
    known_labels = {key: column.label for key, column in _COLUMN_BY_KEY.items()}
    for index, label in enumerate(parsed.header):
        if not label:
            continue
        column = found.get(index)
        if column is None:
            close = difflib.get_close_matches(header_key(label), known_labels, n=1, cutoff=0.75)
            message = _('Unknown column "%(label)s".') % {"label": label}
            if close:
                message += " " + _('Did you mean "%(column)s"?') % {
                    "column": known_labels[close[0]]
                }
            message += " " + _(
                "Rename or remove it; the columns this import reads are: %(columns)s."
            ) % {"columns": expected}
            parsed.problems.append(_problem(1, message, column=label, index=index, value=label))
        elif column.field in parsed.columns:
            first = parsed.columns[column.field]
            parsed.problems.append(
                _problem(
                    1,
                    _(
                        'The "%(column)s" column appears twice (columns %(first)s and %(this)s). '
                        "Keep one."
                    )
                    % {
                        "column": column.label,
                        "first": column_letter(first),
                        "this": column_letter(index),
                    },
                    column=label,
                    index=index,
                    value=label,
                )
            )
        else:
            parsed.columns[column.field] = index
    for column in COLUMNS:
        if column.required and column.field not in parsed.columns:
            parsed.problems.append(
                _problem(
                    1,
                    _('The "%(column)s" column is missing; every file needs one.')
                    % {"column": column.label},
                    column=column.label,
                )
            )
    if "full_name" not in parsed.columns:
        parsed.notices.append(
            _(
                "There is no name column. Invitations will greet people by their email address "
                "until they fill in their profile."
            )
        )


# ------------------------------------------------------------------------------
# Checking the rows
# ------------------------------------------------------------------------------


@dataclass
class CheckResult:
    problems: list[Problem] = field(default_factory=list)  # at most MAX_LISTED_PROBLEMS
    problem_count: int = 0  # all of them
    invitees: list[Invitee] = field(default_factory=list)  # the rows without a problem
    rows: int = 0
    mentors: int = 0
    mentees: int = 0
    sample: list[dict[str, str]] = field(default_factory=list)


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def rows_check(
    parsed: ParsedFile,
    *,
    enrolled: Mapping[str, tuple[str, str]],
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Every problem of every row. ``enrolled`` maps a lowercase email to (role, status)."""
    result = CheckResult(rows=len(parsed.rows))
    # (row, column index) keeps the list in reading order; -1 sorts file-wide problems first.
    found: list[tuple[int, int, Problem]] = [
        (problem["row"], -1, problem) for problem in parsed.problems
    ]
    if parsed.fatal:
        return _result_finish(result, found)
    columns = parsed.columns
    width = len(parsed.header)
    time_zones = _time_zones()
    header = parsed.header
    first_row_of: dict[str, int] = {}

    for done, (number, cells) in enumerate(parsed.rows, start=1):
        row_problems: list[tuple[int, int, Problem]] = []

        def report(
            index: int,
            message: str,
            value: str,
            *,
            number: int = number,
            row_problems: list[tuple[int, int, Problem]] = row_problems,
        ) -> None:
            label = header[index] if 0 <= index < width else ""
            row_problems.append(
                (number, index, _problem(number, message, column=label, index=index, value=value))
            )

        values: dict[str, str] = {}
        for column in COLUMNS:
            index = columns.get(column.field)
            if index is None:
                continue
            value = cells[index].strip() if index < len(cells) else ""
            if column.field in ("email", "manager_email"):
                value = value.lower()
            elif column.field == "full_name":
                # A spreadsheet cell may wrap a name over lines: one line, single spaces.
                value = " ".join(value.split())
            values[column.field] = value
            if not value:
                if column.required:
                    if column.field == "role":
                        message = _('Missing role: write "mentor" or "mentee".')
                    else:
                        message = _("Missing %(column)s: every row needs one.") % {
                            "column": column.label
                        }
                    report(index, message, value)
                continue
            limit = _MAX_LENGTH[column.field]
            if column.field == "role":
                role = value.lower()
                if role in ROLES:
                    values["role"] = role
                    if role == Participant.Role.MENTOR:
                        result.mentors += 1
                    else:
                        result.mentees += 1
                else:
                    report(
                        index,
                        _('Unknown role "%(value)s": write "mentor" or "mentee".')
                        % {"value": value[:40]},
                        value,
                    )
            elif column.field == "time_zone":
                canonical = time_zones.get(value.lower())
                if canonical is None:
                    report(
                        index,
                        _(
                            "Unknown time zone. Use a name from the IANA list, such as "
                            '"Europe/London" or "America/New_York".'
                        ),
                        value,
                    )
                else:
                    values["time_zone"] = canonical
            elif column.field == "full_name" and name_problem(value):
                report(index, name_problem(value), value)
            elif len(value) > limit:
                report(
                    index,
                    _("Too long: %(length)d characters, at most %(max)d.")
                    % {"length": len(value), "max": limit},
                    value,
                )
            elif column.field in ("email", "manager_email") and not _is_email(value):
                report(index, _("Not a valid email address."), value)
            elif column.field == "email":
                first = first_row_of.get(value)
                if first is not None:
                    report(
                        index,
                        _(
                            "The same email is already on row %(row)d. A person can join a "
                            "program once, in one role."
                        )
                        % {"row": first},
                        value,
                    )
                else:
                    first_row_of[value] = number
                    if value in enrolled:
                        role, status = enrolled[value]
                        report(
                            index,
                            _("Already in this program as a %(role)s (%(status)s).")
                            % {
                                "role": Participant.Role(role).label.lower(),
                                "status": Participant.Status(status).label.lower(),
                            },
                            value,
                        )

        for index in range(width, len(cells)):
            if cells[index].strip():
                report(
                    index,
                    _(
                        "This row has more values than the header has columns. A value that "
                        "contains the separator (%(separator)s) must be in double quotes."
                    )
                    % {"separator": _delimiter_name(parsed.delimiter)},
                    cells[index].strip(),
                )
                break
        for index in sorted(parsed.unnamed):
            if index < len(cells) and cells[index].strip():
                report(
                    index,
                    _("This value is in a column with no name in row 1."),
                    cells[index].strip(),
                )

        if row_problems:
            found.extend(row_problems)
        else:
            if "email" in values and "role" in values:
                result.invitees.append(
                    Invitee(
                        email=values["email"],
                        role=values["role"],
                        full_name=values.get("full_name", ""),
                        department=values.get("department", ""),
                        job_title=values.get("job_title", ""),
                        manager_email=values.get("manager_email", ""),
                        location=values.get("location", ""),
                        time_zone=values.get("time_zone", ""),
                    )
                )
                if len(result.sample) < SAMPLE_SIZE:
                    result.sample.append({"row": str(number), **values})
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    return _result_finish(result, found)


def _delimiter_name(delimiter: str) -> str:
    return {",": _("comma"), ";": _("semicolon"), "\t": _("tab")}[delimiter]


def _result_finish(result: CheckResult, found: list[tuple[int, int, Problem]]) -> CheckResult:
    found.sort(key=lambda item: (item[0], item[1]))
    result.problem_count = len(found)
    result.problems = [problem for _row, _index, problem in found[:MAX_LISTED_PROBLEMS]]
    if result.problems:
        result.invitees = []
    return result


def problems_csv(problems: Sequence[Problem]) -> str:
    """The problems as a CSV the coordinator can open beside their file."""
    rows: list[list[Any]] = [[_("row"), _("column"), _("value"), _("problem")]]
    for problem in problems:
        column = problem["column"]
        if problem["letter"]:
            column = f"{column} ({problem['letter']})" if column else problem["letter"]
        rows.append([problem["row"] or "", column, problem["value"], problem["message"]])
    return csv_text(rows)


# ------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------


def _enrolled_in(program: Program) -> dict[str, tuple[str, str]]:
    """Everyone in the program by email, theirs and their account's: one query."""
    enrolled: dict[str, tuple[str, str]] = {}
    rows = Participant.objects.filter(program=program).values_list(
        "email", "user__email", "role", "status"
    )
    for email, user_email, role, status in rows:
        enrolled[email.lower()] = (role, status)
        if user_email:
            enrolled.setdefault(user_email.lower(), (role, status))
    return enrolled


def _summary(result: CheckResult, *, with_account: int) -> dict[str, object]:
    return {
        "rows": result.rows,
        "mentors": result.mentors,
        "mentees": result.mentees,
        "with_account": with_account,
        "problem_count": result.problem_count,
        "sample": result.sample,
    }


def _check(
    participant_import: ParticipantImport, *, report_progress: bool
) -> tuple[ParsedFile, CheckResult]:
    parsed = csv_parse(participant_import.content)
    pk = participant_import.pk

    def progress(done: int) -> None:
        ParticipantImport.objects.filter(pk=pk).update(processed_rows=done)

    result = rows_check(
        parsed,
        enrolled=_enrolled_in(participant_import.program),
        progress=progress if report_progress else None,
    )
    return parsed, result


def _with_account_count(invitees: Sequence[Invitee]) -> int:
    if not invitees:
        return 0
    return User.objects.filter(email__in=[invitee.email for invitee in invitees]).count()


@transaction.atomic
def participant_import_create(
    *,
    program: Program,
    by: User,
    file_name: str,
    data: bytes,
    size: int | None = None,
) -> ParticipantImport:
    """Store an uploaded file and check it: at once when small, in a task when large.

    ``data`` may be cut at MAX_FILE_BYTES + 1 bytes; ``size`` is the real size when known.
    Problems with the file itself are recorded on the import (status "invalid"), so the
    coordinator sees them on the same preview page as any other problem.
    """
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program cannot take new participants."))
    name = re.split(r"[\\/]", file_name)[-1][:255] or "participants.csv"
    participant_import = ParticipantImport(
        program=program, created_by=by, file_name=name, status=ParticipantImport.Status.CHECKING
    )
    size = max(size or 0, len(data))
    if size > MAX_FILE_BYTES:
        return _invalid_at_once(
            participant_import,
            _(
                "The file is %(size)s MB; the limit is %(max)s MB. Remove unused columns or "
                "split it into several files."
            )
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_FILE_BYTES // 1024 // 1024},
        )
    decoded = decode_upload(data)
    participant_import.notices = decoded.notices
    if decoded.problem:
        return _invalid_at_once(participant_import, decoded.problem)
    parsed = csv_parse(decoded.text)
    participant_import.content = decoded.text
    participant_import.total_rows = len(parsed.rows)
    participant_import.save()
    if parsed.fatal or participant_import.total_rows <= INLINE_MAX_ROWS:
        return participant_import_check(participant_import=participant_import)
    import_id = participant_import.pk
    _enqueue_check(import_id)
    return participant_import


def _enqueue_check(import_id: int) -> None:
    from programs.import_tasks import check_participant_import_task

    task_defer(check_participant_import_task, import_id)


def _invalid_at_once(participant_import: ParticipantImport, message: str) -> ParticipantImport:
    participant_import.status = ParticipantImport.Status.INVALID
    participant_import.problems = [_file_problem(message)]
    participant_import.summary = {"rows": 0, "problem_count": 1}
    participant_import.finished_at = timezone.now()
    participant_import.save()
    return participant_import


def participant_import_check(*, participant_import: ParticipantImport) -> ParticipantImport:
    """Check a stored file and record its problems; "ready" when there are none.

    Only an import still "checking" is checked, so a task delivered twice does no harm.
    """
    if participant_import.status != ParticipantImport.Status.CHECKING:
        return participant_import
    try:
        parsed, result = _check(
            participant_import, report_progress=participant_import.total_rows > INLINE_MAX_ROWS
        )
        clean = not result.problems
        fields: dict[str, Any] = {
            "status": ParticipantImport.Status.READY if clean else ParticipantImport.Status.INVALID,
            "problems": result.problems,
            "notices": list(dict.fromkeys([*participant_import.notices, *parsed.notices])),
            "summary": _summary(result, with_account=_with_account_count(result.invitees)),
            "total_rows": result.rows,
            "processed_rows": result.rows,
            "finished_at": timezone.now(),
        }
        if not clean:
            # Nothing will ever be applied from this file: keep no copy of it (privacy).
            fields["content"] = ""
        ParticipantImport.objects.filter(
            pk=participant_import.pk, status=ParticipantImport.Status.CHECKING
        ).update(**fields)
    except Exception:
        _failed(participant_import.pk, from_status=ParticipantImport.Status.CHECKING)
        raise
    participant_import.refresh_from_db()
    return participant_import


def _failed(import_id: int, *, from_status: str) -> None:
    ParticipantImport.objects.filter(pk=import_id, status=from_status).update(
        status=ParticipantImport.Status.FAILED,
        problems=[
            _file_problem(
                _(
                    "Something went wrong on our side while handling this file; nothing was "
                    "applied. Upload it again, and tell your site administrator if it happens "
                    "again."
                )
            )
        ],
        finished_at=timezone.now(),
    )


def participant_import_apply(
    *, participant_import: ParticipantImport, by: User
) -> ParticipantImport:
    """Enrol everyone in a clean file and send their invitations; do nothing the second time.

    The "ready" -> "applying" move is a conditional UPDATE, so of two clicks (or two
    coordinators) exactly one goes on; the other gets the import back as it stands.
    """
    claimed = ParticipantImport.objects.filter(
        pk=participant_import.pk, status=ParticipantImport.Status.READY
    ).update(status=ParticipantImport.Status.APPLYING, processed_rows=0)
    if not claimed:
        participant_import.refresh_from_db()
        if participant_import.status in (
            ParticipantImport.Status.APPLYING,
            ParticipantImport.Status.APPLIED,
        ):
            return participant_import
        raise ProgramError(_("Only a file without problems can be applied."))
    if participant_import.total_rows > INLINE_MAX_ROWS:
        import_id, by_id = participant_import.pk, by.pk
        _enqueue_apply(import_id, by_id)
        participant_import.refresh_from_db()
        return participant_import
    applied = participant_import_apply_claimed(import_id=participant_import.pk, by=by)
    return applied or participant_import


def _enqueue_apply(import_id: int, by_id: int) -> None:
    from programs.import_tasks import apply_participant_import_task

    task_defer(apply_participant_import_task, import_id, by_id)


def participant_import_apply_claimed(
    *, import_id: int, by: User | None
) -> ParticipantImport | None:
    """The work of applying an import already moved to "applying"; safe to run twice.

    The file is checked again inside the transaction, against who is enrolled now:
    someone added since the preview makes the import "invalid" with that row listed,
    and nothing is written.
    """
    try:
        with transaction.atomic():
            participant_import = (
                ParticipantImport.objects.select_for_update(of=("self",))
                .select_related("program")
                .filter(pk=import_id)
                .first()
            )
            if (
                participant_import is None
                or participant_import.status != ParticipantImport.Status.APPLYING
            ):
                return participant_import
            by = by or participant_import.created_by
            _parsed, result = _check(participant_import, report_progress=False)
            now = timezone.now()
            if result.problems or by is None:
                participant_import.status = ParticipantImport.Status.INVALID
                participant_import.problems = result.problems or [
                    _file_problem(_("The person who applied this file no longer has an account."))
                ]
                participant_import.summary = {
                    **participant_import.summary,
                    "problem_count": result.problem_count or 1,
                }
                participant_import.content = ""
                participant_import.finished_at = now
                participant_import.save()
                return participant_import
            created = participants_invite(
                program=participant_import.program, invitees=result.invitees, by=by
            )
            participant_import.status = ParticipantImport.Status.APPLIED
            participant_import.applied_count = len(created)
            participant_import.processed_rows = participant_import.total_rows
            # Applied: the participants hold what is needed now; keep no copy of the file.
            participant_import.content = ""
            participant_import.finished_at = now
            participant_import.save()
            return participant_import
    except ProgramError as error:
        # Refused by the rules (the program closed meanwhile); nothing was written.
        ParticipantImport.objects.filter(
            pk=import_id, status=ParticipantImport.Status.APPLYING
        ).update(
            status=ParticipantImport.Status.INVALID,
            problems=[_file_problem(str(error))],
            content="",
            finished_at=timezone.now(),
        )
    except IntegrityError:
        # Someone in the file was enrolled by another path between our check and our
        # insert. Nothing was written; check again so the page lists who.
        ParticipantImport.objects.filter(
            pk=import_id, status=ParticipantImport.Status.APPLYING
        ).update(status=ParticipantImport.Status.CHECKING)
        again = ParticipantImport.objects.select_related("program").get(pk=import_id)
        return participant_import_check(participant_import=again)
    except Exception:
        _failed(import_id, from_status=ParticipantImport.Status.APPLYING)
        raise
    return ParticipantImport.objects.filter(pk=import_id).first()
