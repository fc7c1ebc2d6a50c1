"""HR's outcome file: who is still employed, who left and when, who was promoted.

One row per employee, participants or not. A file is checked in full first; if any
row is wrong, every problem is listed by row and column and nothing changes. A clean
file replaces the previous data in one transaction (the file is HR's snapshot).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import EmployeeRecord, OutcomeImport, Promotion, User
from programs.imports import column_letter, decode_upload, header_key
from reports.models import InsightSnapshot

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
MAX_LISTED_PROBLEMS = 1_000

# Accepted spellings of each column, compared after header_key().
COLUMNS: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "emailaddress", "workemail", "mail"}),
    "department": frozenset({"department", "dept"}),
    "hired_on": frozenset({"hiredon", "hiredate", "startdate", "joined", "joinedon"}),
    "status": frozenset({"status", "employmentstatus", "employed"}),
    "left_on": frozenset({"lefton", "leftdate", "leavingdate", "enddate", "terminationdate"}),
    "promotions": frozenset({"promotions", "promotiondates", "promotedon", "promotion"}),
}
TEMPLATE = "email,department,hired on,status,left on,promotions"
EMPLOYED = frozenset({"employed", "active", "yes", "y", "true", "1", "current"})
LEFT = frozenset({"left", "leaver", "terminated", "no", "n", "false", "0", "inactive"})


class Problem(TypedDict):
    row: int  # 0: the file, 1: the header, then as a spreadsheet numbers rows
    column: str
    letter: str
    value: str
    message: str


@dataclass
class Checked:
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    records: list[tuple[EmployeeRecord, list[dt.date]]] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0 and bool(self.records)


def _problem(
    checked: Checked, row: int, column: str, index: int | None, value: str, message: str
) -> None:
    checked.problem_count += 1
    if len(checked.problems) < MAX_LISTED_PROBLEMS:
        checked.problems.append(
            {
                "row": row,
                "column": column,
                "letter": column_letter(index) if index is not None else "",
                "value": value[:200],
                "message": message,
            }
        )


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def outcomes_check(data: bytes) -> Checked:
    """Every problem of the file, or the records it would create."""
    checked = Checked()
    if len(data) > MAX_FILE_BYTES:
        _problem(
            checked,
            0,
            "",
            None,
            "",
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // 1024 // 1024},
        )
        return checked
    decoded = decode_upload(data)
    checked.notices.extend(decoded.notices)
    if decoded.problem:
        _problem(checked, 0, "", None, "", decoded.problem)
        return checked
    first_line = decoded.text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(decoded.text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        _problem(checked, 0, "", None, "", _("The file is empty."))
        return checked
    columns: dict[str, int] = {}
    by_key = {key: name for name, keys in COLUMNS.items() for key in keys}
    for index, label in enumerate(header):
        name = by_key.get(header_key(label))
        if name is None:
            if label.strip():
                _problem(
                    checked,
                    1,
                    label,
                    index,
                    label,
                    _('Unknown column "%(label)s". The columns this import reads are: %(columns)s.')
                    % {"label": label, "columns": TEMPLATE},
                )
        elif name in columns:
            _problem(
                checked,
                1,
                label,
                index,
                label,
                _('The "%(column)s" column appears twice.') % {"column": label},
            )
        else:
            columns[name] = index
    if "email" not in columns:
        _problem(
            checked, 1, "email", None, "", _('The "email" column is missing; every file needs one.')
        )
        return checked
    if "status" not in columns and "left_on" not in columns:
        checked.notices.append(
            _("There is neither a status nor a left-on column: everyone is read as still employed.")
        )
    seen: dict[str, int] = {}
    try:
        for row_number, cells in enumerate(reader, start=2):
            if row_number - 1 > MAX_ROWS:
                _problem(
                    checked,
                    0,
                    "",
                    None,
                    "",
                    _("The file has more than %(n)d rows.") % {"n": MAX_ROWS},
                )
                return checked
            if not any(cell.strip() for cell in cells):
                continue
            _row_check(checked, row_number, cells, header, columns, seen)
    except csv.Error as error:
        _problem(
            checked, 0, "", None, "", _("The file is not valid CSV: %(error)s") % {"error": error}
        )
    if not checked.records and not checked.problem_count:
        _problem(checked, 0, "", None, "", _("The file has a header but no employees."))
    return checked


def _row_check(
    checked: Checked,
    row: int,
    cells: list[str],
    header: list[str],
    columns: dict[str, int],
    seen: dict[str, int],
) -> None:
    def cell(name: str) -> tuple[str, int | None, str]:
        index = columns.get(name)
        if index is None:
            return "", None, name
        value = cells[index].strip() if index < len(cells) else ""
        return value, index, header[index]

    before = checked.problem_count
    email, index, label = cell("email")
    key = email.lower()
    if not email:
        _problem(checked, row, label, index, email, _("The email is missing."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            _problem(
                checked,
                row,
                label,
                index,
                email,
                _('"%(value)s" is not an email address.') % {"value": email},
            )
        if key in seen:
            _problem(
                checked,
                row,
                label,
                index,
                email,
                _("This employee is already on row %(row)d; each employee needs one row.")
                % {"row": seen[key]},
            )
        seen.setdefault(key, row)
    department, index_d, label_d = cell("department")
    if len(department) > 120:
        _problem(
            checked,
            row,
            label_d,
            index_d,
            department,
            _("The department is longer than 120 characters."),
        )
    dates: dict[str, dt.date | None] = {}
    for name in ("hired_on", "left_on"):
        value, index_x, label_x = cell(name)
        dates[name] = None
        if value:
            try:
                dates[name] = _date(value)
            except ValueError:
                _problem(
                    checked,
                    row,
                    label_x,
                    index_x,
                    value,
                    _('"%(value)s" is not a date; write it as 2026-03-31.') % {"value": value},
                )
    status, index_s, label_s = cell("status")
    if status and status.lower() not in EMPLOYED | LEFT:
        _problem(
            checked,
            row,
            label_s,
            index_s,
            status,
            _('Unknown status "%(value)s"; write "employed" or "left".') % {"value": status},
        )
    elif status.lower() in LEFT and dates["left_on"] is None and cell("left_on")[0] == "":
        _problem(
            checked, row, label_s, index_s, status, _("Someone who left needs the date they left.")
        )
    elif status.lower() in EMPLOYED and dates["left_on"] is not None:
        _problem(
            checked,
            row,
            label_s,
            index_s,
            status,
            _("Someone still employed cannot have a leaving date."),
        )
    if dates["hired_on"] and dates["left_on"] and dates["left_on"] < dates["hired_on"]:
        _problem(
            checked,
            row,
            cell("left_on")[2],
            cell("left_on")[1],
            cell("left_on")[0],
            _("The leaving date is before the hiring date."),
        )
    promotions_text, index_p, label_p = cell("promotions")
    promotions: list[dt.date] = []
    for part in promotions_text.replace("|", ";").replace(",", ";").split(";"):
        if part.strip():
            try:
                promotions.append(_date(part.strip()))
            except ValueError:
                _problem(
                    checked,
                    row,
                    label_p,
                    index_p,
                    part.strip(),
                    _('"%(value)s" is not a date; list promotion dates as 2025-04-01;2026-04-01.')
                    % {"value": part.strip()},
                )
    if checked.problem_count == before:
        checked.records.append(
            (
                EmployeeRecord(
                    email=key,
                    department=department,
                    hired_on=dates["hired_on"],
                    left_on=dates["left_on"],
                ),
                sorted(set(promotions)),
            )
        )


@transaction.atomic
def outcomes_apply(*, checked: Checked, file_name: str, by: User) -> OutcomeImport:
    """Replace the outcome data with a clean file's, all at once."""
    if not checked.ok:
        raise ValueError("only a clean file can be applied")
    Promotion.objects.all().delete()
    EmployeeRecord.objects.all().delete()
    # HR's stored counts describe the old file: count live until they are taken again.
    InsightSnapshot.objects.all().delete()
    records = EmployeeRecord.objects.bulk_create([r for r, _p in checked.records], batch_size=2000)
    promotions = [
        Promotion(employee=record, promoted_on=day)
        for record, (_r, days) in zip(records, checked.records, strict=True)
        for day in days
    ]
    Promotion.objects.bulk_create(promotions, batch_size=5000)
    return OutcomeImport.objects.create(
        uploaded_by=by,
        uploaded_at=timezone.now(),
        file_name=file_name[:255],
        employees=len(records),
        leavers=sum(1 for r in records if r.left_on is not None),
        promotions=len(promotions),
    )
