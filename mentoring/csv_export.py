"""The one CSV writer: every CSV the product hands out is written here.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula, so text a participant controls (a preferred
name, a department, a survey answer) could become ``=HYPERLINK(...)`` in a
coordinator's spreadsheet. Following OWASP's rule, such a text cell is written with a
leading apostrophe, which spreadsheets show as plain text. Numbers stay numbers: a
negative NPS is written as ``-12``, because only text is neutralised.

Downloads go through :func:`csv_download`, which also writes the audit row: names,
addresses and results leaving the site are always on the record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from mentoring.audit import audit_record
from mentoring.models import AuditEvent

# OWASP "CSV injection": the characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One cell as it is safe to write: text that could run as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class CsvWriter:
    """``csv.writer`` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, out: Any) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as CSV text (for a file the product stores or attaches)."""
    out = io.StringIO()
    CsvWriter(out).writerows(rows)
    return out.getvalue()


def _attachment_name(filename: str) -> str:
    # Only characters that need no quoting in a Content-Disposition header.
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.")
    if not stem.lower().endswith(".csv"):
        stem = f"{stem or 'export'}.csv"
    return stem


def csv_response(filename: str) -> tuple[HttpResponse, CsvWriter]:
    """An attachment response and the writer that fills it (no audit row: see below)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_attachment_name(filename)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response, CsvWriter(response)


def csv_download(
    request: HttpRequest,
    *,
    filename: str,
    export: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> tuple[HttpResponse, CsvWriter]:
    """A CSV download, on the record: writes the export's audit row, then the response.

    ``export`` names what left the site; ``detail`` holds ids and filters, never content.
    """
    audit_record(
        action=AuditEvent.Action.EXPORT,
        request=request,
        target=target,
        detail={"export": export, **(detail or {})},
    )
    return csv_response(filename)
