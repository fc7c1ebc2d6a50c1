"""Who may open a survey: its program's coordinators build it and read its results
(404 to outsiders, 403 to members); whoever answered it through its link sees its
thank-you page (the browser session is the credential)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.http import Http404

from mentoring.models import User
from programs.access import Need, ProgramAccess, access_program
from surveys.models import Survey

# The surveys this browser session answered (their ids), so the thank-you page opens
# for them only (it names the survey and its program, which a guessed id must not reveal).
ANSWERED_SESSION_KEY = "surveys_answered"
ANSWERED_REMEMBERED = 20


@dataclass(frozen=True)
class SurveyAccess:
    access: ProgramAccess
    survey: Survey


def access_survey(user: User, program_id: int, survey_id: int) -> SurveyAccess:
    """A survey of a program the user coordinates (404 to outsiders, 403 to members)."""
    access = access_program(user, program_id, need=Need.MANAGE)
    survey = Survey.objects.filter(program=access.program, pk=survey_id).first()
    if survey is None:
        raise Http404
    survey.program = access.program
    return SurveyAccess(access, survey)


def answered_survey_remember(session: SessionBase, survey: Survey) -> None:
    """Let this browser session open the survey's thank-you page, newest last."""
    answered = [pk for pk in session.get(ANSWERED_SESSION_KEY, []) if pk != survey.pk]
    session[ANSWERED_SESSION_KEY] = [*answered, survey.pk][-ANSWERED_REMEMBERED:]


def access_answered_survey(session: SessionBase, survey_id: int) -> Survey:
    """The survey this browser session answered through its link; 404 for any other."""
    if survey_id not in session.get(ANSWERED_SESSION_KEY, []):
        raise Http404
    survey = (
        Survey.objects.select_related("program")
        .filter(pk=survey_id)
        .exclude(state=Survey.State.DRAFT)
        .first()
    )
    if survey is None:
        raise Http404
    return survey
