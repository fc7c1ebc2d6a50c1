"""Reading an uploaded file: its encoding, its separator, its header and its rows.

Pure functions of the bytes; what is wrong with the file or its header is reported as
:class:`~programs.imports.problems.Problem` rows, and the rows themselves are checked
in :mod:`programs.imports.checking`.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.imports.problems import Problem, column_letter, file_problem, problem_at

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000


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
        parsed.problems.append(file_problem(_("The file is empty.")))
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
            problem_at(
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
            problem_at(
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
            file_problem(
                _("There is nobody to invite: the file has a header row but no rows below it.")
            )
        )
        parsed.fatal = True
    elif len(parsed.rows) > MAX_ROWS:
        parsed.problems.append(
            file_problem(
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
            problem_at(
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
            parsed.problems.append(problem_at(1, message, column=label, index=index, value=label))
        elif column.field in parsed.columns:
            first = parsed.columns[column.field]
            parsed.problems.append(
                problem_at(
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
                problem_at(
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
