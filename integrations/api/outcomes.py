"""/api/v1/outcomes/import: HR's outcome file, as on the outcome import page.

The same importer (reports.outcomes): the file is checked in full first; a clean
file replaces the outcome data in one transaction; a file with any problem changes
nothing and the answer lists every problem by row and column. HR viewers and site
admins only, with a token that has the outcomes:write scope.
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile

from integrations.api.core import ERRORS, owner
from integrations.api.schemas import OutcomeImportOut, OutcomeProblemsOut
from integrations.models import ApiToken
from mentoring.access import access_insights
from reports import outcomes

router = Router(tags=["outcomes"])

# A clean file in the documented format: the example readers and generated clients see.
EXAMPLE_FILE = (
    "email,department,hired on,status,left on,promotions\n"
    "ana@example.org,Finance,2021-03-01,employed,,2024-04-01\n"
    "ben@example.org,Sales,2019-09-15,left,2026-01-31,\n"
)


@router.post(
    "/outcomes/import",
    response={201: OutcomeImportOut, 400: OutcomeProblemsOut, **ERRORS},
    summary="Import HR's outcome file",
    openapi_extra={
        "requestBody": {
            "content": {"multipart/form-data": {"example": {"file": EXAMPLE_FILE}}},
        }
    },
)
def outcome_import(
    request: HttpRequest,
    file: Annotated[UploadedFile, File(description="CSV: " + outcomes.TEMPLATE)],
) -> Status[dict[str, Any]]:
    """Replace the outcome data (employment, leaving dates, promotions) with this CSV
    file's, or change nothing and list every problem (400)."""
    user = owner(request, ApiToken.Scope.OUTCOMES_WRITE)
    access_insights(user)
    checked = outcomes.outcomes_check(file.read(outcomes.MAX_FILE_BYTES + 1))
    if not checked.ok:
        return Status(
            400,
            {
                "detail": _(
                    "The file has %(n)d problem(s); nothing was changed. Fix each row listed "
                    "in problems and send the whole file again."
                )
                % {"n": checked.problem_count},
                "problem_count": checked.problem_count,
                "problems": checked.problems,
                "notices": [str(n) for n in checked.notices],
            },
        )
    result = outcomes.outcomes_apply(checked=checked, file_name=file.name or "", by=user)
    return Status(
        201,
        {
            "id": result.pk,
            "file_name": result.file_name,
            "uploaded_at": result.uploaded_at,
            "employees": result.employees,
            "leavers": result.leavers,
            "promotions": result.promotions,
            "notices": [str(n) for n in checked.notices],
        },
    )
