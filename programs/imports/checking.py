"""Checking every row of a parsed file against the rules and against who is enrolled.

A pure function of the parsed file and of a mapping of who is already in the program:
the database is read by the caller (:mod:`programs.imports.services`).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from mentoring.validators import name_problem
from programs.imports.parsing import COLUMNS, ParsedFile
from programs.imports.problems import Problem, problem_at
from programs.models import Participant
from programs.services import Invitee

# The background check writes its progress once per this many rows: ten small UPDATEs
# for the largest file, and the page, which polls every second, still moves smoothly.
PROGRESS_EVERY = 1_000
# A file with thousands of problems has one systematic mistake (a wrong column, a wrong
# separator); listing the first 5,000 keeps the stored list under about 1 MB.
MAX_LISTED_PROBLEMS = 5_000
SAMPLE_SIZE = 5


def _max_length(name: str) -> int:
    model_field = Participant._meta.get_field(name)
    if not isinstance(model_field, models.CharField):  # EmailField is one too
        raise TypeError(f"Participant.{name} is not a text field")
    return int(model_field.max_length or 0)


_MAX_LENGTH: dict[str, int] = {column.field: _max_length(column.field) for column in COLUMNS}
ROLES = frozenset(Participant.Role.values)


@functools.cache
def _time_zones() -> dict[str, str]:
    """Every IANA name the server knows, by its lowercase spelling (computed once)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


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
                (number, index, problem_at(number, message, column=label, index=index, value=value))
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
