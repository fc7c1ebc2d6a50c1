"""Importing participants from a CSV file a coordinator exported from a spreadsheet.

The whole file is checked and every problem is listed by row and column, numbered as
the spreadsheet shows them (the header is row 1, the first person row 2; row 0 means
the file as a whole). Nothing is written until the file is clean; then everyone is
enrolled in one transaction through ``services.participants_invite``, which emails the
invitations once that transaction commits.

Reading and checking (``decode_upload``, ``csv_parse`` in :mod:`.parsing`,
``rows_check`` in :mod:`.checking`) are pure functions of the file and of what is
already enrolled; the ``participant_import_*`` services in :mod:`.services` add the
database (reads in :mod:`.selectors`), and the tasks in ``programs.import_tasks`` run
them in the background for large files. Problems are listed as :mod:`.problems` says.

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

from programs.imports.checking import (
    MAX_LISTED_PROBLEMS,
    PROGRESS_EVERY,
    CheckResult,
    rows_check,
)
from programs.imports.parsing import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    TEMPLATE_HEADER,
    Column,
    Decoded,
    ParsedFile,
    csv_parse,
    decode_upload,
    header_key,
)
from programs.imports.problems import Problem, column_letter, problems_csv
from programs.imports.services import (
    INLINE_MAX_ROWS,
    participant_import_apply,
    participant_import_apply_claimed,
    participant_import_check,
    participant_import_create,
)

__all__ = [
    "COLUMNS",
    "INLINE_MAX_ROWS",
    "MAX_FILE_BYTES",
    "MAX_LISTED_PROBLEMS",
    "MAX_ROWS",
    "PROGRESS_EVERY",
    "TEMPLATE_HEADER",
    "CheckResult",
    "Column",
    "Decoded",
    "ParsedFile",
    "Problem",
    "column_letter",
    "csv_parse",
    "decode_upload",
    "header_key",
    "participant_import_apply",
    "participant_import_apply_claimed",
    "participant_import_check",
    "participant_import_create",
    "problems_csv",
    "rows_check",
]
