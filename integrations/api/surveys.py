"""/api/v1/programs/{id}/surveys: survey results, exactly as the results page shows them.

Both the page and these endpoints read surveys.results, so every figure went through
the same small-group suppression (a hidden count is null here, "hidden" in the CSV):
counts below the program's minimum group size, and whatever would give one back, are
hidden; an anonymous survey's free text appears only once at least the minimum number
of people answered the question, without names and in random order; an identified
survey's answers carry names, and only the program's coordinators get them. HR
viewers get the cross-program overview (aggregates only, never free text).
"""

# No "from __future__ import annotations": ninja reads these annotations at run time.
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from integrations.api.core import ERRORS, Id, Pages, owner
from integrations.api.schemas import (
    HrSurveyOverviewOut,
    SurveyFilter,
    SurveyOut,
    SurveyResultsFilter,
    SurveyResultsOut,
)
from integrations.models import ApiToken
from mentoring.access import access_hr
from programs.access import Need, access_program
from programs.models import Program
from surveys import results
from surveys.access import access_survey
from surveys.hr import hr_overview
from surveys.models import Survey

router = Router(tags=["surveys"])
Scope = ApiToken.Scope


@router.get(
    "/programs/{program_id}/surveys",
    response={200: list[SurveyOut], **ERRORS},
    summary="List surveys",
)
@paginate(Pages)
def survey_list(
    request: HttpRequest, program_id: Id, filters: Query[SurveyFilter]
) -> QuerySet[Survey]:
    """The program's surveys, newest first, with how many people were invited."""
    user = owner(request, Scope.SURVEYS_READ)
    program = access_program(user, program_id, need=Need.MANAGE).program
    surveys = results.survey_list(program=program)
    if filters.state:
        surveys = surveys.filter(state=filters.state)
    return surveys


def _question(item: results.QuestionResult, anonymous: bool) -> dict[str, Any]:
    question = item.question
    return {
        "id": question.pk,
        "text": question.text,
        "kind": question.kind,
        "answered": item.count,
        "average": item.average,
        "nps": item.nps,
        "options": [
            {"label": bar.label, "count": bar.count, "percent": bar.percent} for bar in item.bars
        ],
        "roles": [
            {
                "role": row.role,
                "answered": row.count,
                "counts": list(row.cells),
                "average": row.average,
                "nps": row.nps,
            }
            for row in item.roles
        ],
        "weeks": [
            {"week_on": week.week_on, "responses": week.count, "average": week.average}
            for week in item.weeks
        ],
        "texts": [
            {"text": answer.text, "name": None if anonymous else (answer.name or None)}
            for answer in item.texts
        ],
        "texts_withheld": item.texts_withheld,
    }


@router.get(
    "/programs/{program_id}/surveys/{survey_id}/results",
    response={200: SurveyResultsOut, **ERRORS},
    summary="Read a survey's results",
)
def survey_results(
    request: HttpRequest, program_id: Id, survey_id: Id, filters: Query[SurveyResultsFilter]
) -> dict[str, Any]:
    """The results page as data: the program's coordinators only."""
    user = owner(request, Scope.SURVEYS_READ)
    survey = access_survey(user, program_id, survey_id).survey
    found = results.survey_results(survey=survey, role_filter=filters.role or "")
    # The same counts the survey list shows, for the survey's own row.
    survey = results.survey_list(program=survey.program).get(pk=survey.pk)
    return {
        "survey": survey,
        "minimum_group_size": found.minimum,
        "invited": found.invited,
        "answered": found.answered,
        "response_rate": found.rate,
        "role": found.role_filter or None,
        "roles": [
            {"role": row.role, "invited": row.count, "answered": row.cells[0]}
            for row in found.roles
        ],
        "weeks": [{"week_on": week.week_on, "responses": week.count} for week in found.weeks],
        "questions": [_question(item, survey.is_anonymous) for item in found.questions],
    }


@router.get(
    "/surveys/overview",
    response={200: HrSurveyOverviewOut, **ERRORS},
    summary="Survey figures across programs (HR)",
)
def survey_overview(request: HttpRequest) -> dict[str, Any]:
    """Responses and satisfaction per program, as on HR's survey page: HR viewers only."""
    user = owner(request, Scope.SURVEYS_READ)
    access_hr(user)
    programs = Program.objects.exclude(state=Program.State.DRAFT).order_by("name", "id")
    overview = hr_overview(programs=programs)
    return {
        "minimum_group_size": overview.minimum,
        "roles": [role for role, _label in overview.roles],
        "programs": [
            {
                "program_id": row.program.pk,
                "name": row.program.name,
                "responses": list(row.cells),
                "total": row.total,
                "average_rating": row.average,
                "nps": row.nps,
            }
            for row in overview.rows
        ],
        "responses": list(overview.column_totals),
        "total": overview.grand_total,
        "average_rating": overview.average,
        "nps": overview.nps,
    }
