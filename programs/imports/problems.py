"""What is wrong with an uploaded file, as the coordinator sees it: row, column, value.

Rows and columns are numbered as the spreadsheet shows them: the header is row 1, the
first person row 2, and row 0 means the file as a whole; column 0 is letter A.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from django.utils.translation import gettext as _

from mentoring.csv_export import csv_text

# A shown value is cut here; the page truncates further.
VALUE_KEEP = 200


class Problem(TypedDict):
    row: int  # as the spreadsheet numbers it; 0 is the file as a whole, 1 the header
    column: str  # the column's header as written in the file ("" for the whole row/file)
    letter: str  # the spreadsheet's column letter ("" when not about one column)
    value: str
    message: str


def column_letter(index: int) -> str:
    """The spreadsheet's name of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def problem_at(
    row: int, message: str, *, column: str = "", index: int = -1, value: str = ""
) -> Problem:
    return {
        "row": row,
        "column": column,
        "letter": column_letter(index) if index >= 0 else "",
        "value": value[:VALUE_KEEP],
        "message": message,
    }


def file_problem(message: str) -> Problem:
    return problem_at(0, message)


def problems_csv(problems: Sequence[Problem]) -> str:
    """The problems as a CSV the coordinator can open beside their file."""
    rows: list[list[Any]] = [[_("row"), _("column"), _("value"), _("problem")]]
    for problem in problems:
        column = problem["column"]
        if problem["letter"]:
            column = f"{column} ({problem['letter']})" if column else problem["letter"]
        rows.append([problem["row"] or "", column, problem["value"], problem["message"]])
    return csv_text(rows)
