"""Survey pages: the coordinators' builder, schedule and results; the public answer
page reached by a one-time link; HR's cross-program overview.

Coordinator pages go through access_survey (program coordinators only: outsiders
404, participants and HR 403). The answer page needs no sign-in: the signed link is
the key, checked by services.invitation_check. HR's page needs the HR role.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentoring.access import access_hr
from mentoring.csv_export import csv_download
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.questions.selectors import question_list
from programs.access import Need, access_program
from programs.models import Program
from surveys import hr as survey_hr
from surveys import questions as survey_questions
from surveys import results as results_module
from surveys import services
from surveys.access import (
    SurveyAccess,
    access_answered_survey,
    access_survey,
    answered_survey_remember,
)
from surveys.forms import AnswerForm, QuestionForm, ScheduleForm, SurveyCreateForm, SurveyForm
from surveys.models import Question, Survey
from surveys.services import LinkState, SurveyError


def _question(survey: Survey, question_id: int) -> Question:
    question = survey.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404
    question.survey = survey
    return question


# ------------------------------------------------------------------------------
# Coordinators: list and builder
# ------------------------------------------------------------------------------


@login_required
@require_safe
def survey_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    context = {
        "program": access.program,
        "surveys": results_module.survey_list(program=access.program),
        "form": SurveyCreateForm(),
        "is_closed": access.program.state == Program.State.CLOSED,
    }
    return render(request, "surveys/survey_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_create(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    if request.method != "POST":
        # The form lives on the survey list; a bookmarked or typed address leads there.
        if access.program.state != Program.State.CLOSED:
            messages.info(
                request, _("Choose a starting point under “New survey” and create the draft.")
            )
        return redirect(reverse("surveys:survey_list", args=[access.program.pk]) + "#new-title")
    form = SurveyCreateForm(request.POST)
    if form.is_valid():
        try:
            survey = services.survey_create(
                program=access.program,
                by=user,
                title=form.cleaned_data["title"],
                starter_key=form.cleaned_data["starter"],
            )
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” is created as a draft.") % {"title": survey})
            return redirect("surveys:survey_builder", access.program.pk, survey.pk)
    context = {
        "program": access.program,
        "surveys": results_module.survey_list(program=access.program),
        "form": form,
        "is_closed": access.program.state == Program.State.CLOSED,
    }
    return render(request, "surveys/survey_list.html", context, status=400)


def _builder_context(found: SurveyAccess, **extra: Any) -> dict[str, Any]:
    survey = found.survey
    return {
        "program": found.access.program,
        "survey": survey,
        "questions": list(question_list(model=Question, owner=survey)),
        "is_draft": survey.state == Survey.State.DRAFT,
        "publish_refusal": services.survey_publish_refusal(survey=survey)
        if survey.state == Survey.State.DRAFT
        else "",
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def survey_builder(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    """The survey's settings (POST saves them) and its questions."""
    user = request.user
    found = access_survey(user, program_id, survey_id)
    survey = found.survey
    form = SurveyForm(request.POST if request.method == "POST" else None, instance=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                survey=Survey.objects.select_related("program").get(pk=survey.pk),
                by=user,
                **{name: form.cleaned_data[name] for name in services.SURVEY_FIELDS},
            )
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Survey settings saved."))
        return redirect("surveys:survey_builder", program_id, survey.pk)
    context = _builder_context(found, form=form, question_form=QuestionForm())
    return render(request, "surveys/survey_builder.html", context)


@login_required
@require_POST
def question_add(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    question_form = QuestionForm(request.POST)
    if question_form.is_valid():
        try:
            question = survey_questions.question_create(
                survey=found.survey, by=user, **question_form.question_fields()
            )
        except SurveyError as error:
            question_form.add_error(None, str(error))
        else:
            messages.success(request, _("Question added: “%(text)s”.") % {"text": question.text})
            return redirect("surveys:survey_builder", program_id, survey_id)
    context = _builder_context(
        found, form=SurveyForm(instance=found.survey), question_form=question_form
    )
    return render(request, "surveys/survey_builder.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    question = _question(found.survey, question_id)
    form = QuestionForm(request.POST if request.method == "POST" else None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            survey_questions.question_update(question=question, by=user, **form.question_fields())
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Question saved."))
            return redirect("surveys:survey_builder", program_id, survey_id)
    context = {
        "program": found.access.program,
        "survey": found.survey,
        "question": question,
        "form": form,
    }
    return render(request, "surveys/question_edit.html", context)


@login_required
@require_POST
def question_delete(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    question = _question(found.survey, question_id)
    try:
        survey_questions.question_delete(question=question, by=user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Question removed: “%(text)s”.") % {"text": question.text})
    return redirect("surveys:survey_builder", program_id, survey_id)


@login_required
@require_POST
def question_move(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    """Move a question up or down; htmx swaps the list in place, plain forms redirect."""
    user = request.user
    found = access_survey(user, program_id, survey_id)
    question = _question(found.survey, question_id)
    direction = request.POST.get("direction")
    try:
        if direction not in ("up", "down"):
            raise SurveyError(_("Choose whether to move the question up or down."))
        if survey_questions.question_move(
            question=question, offset=-1 if direction == "up" else 1, by=user
        ):
            message = (
                _("Moved “%(text)s” up.") if direction == "up" else _("Moved “%(text)s” down.")
            )
            messages.success(request, message % {"text": question.text})
    except SurveyError as error:
        messages.error(request, str(error))
    if request.htmx:
        return render(request, "surveys/survey_builder.html#question_list", _builder_context(found))
    return redirect("surveys:survey_builder", program_id, survey_id)


@login_required
@require_http_methods(["GET", "POST"])
def survey_schedule(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    survey = found.survey
    form = ScheduleForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_schedule_set(survey=survey, by=user, **form.schedule_fields())
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("surveys:survey_builder", program_id, survey_id)
    context = {"program": found.access.program, "survey": survey, "form": form}
    return render(request, "surveys/survey_schedule.html", context)


@login_required
@require_POST
def survey_publish(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    try:
        services.survey_publish(survey=found.survey, by=user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is published; invitations go out as its schedule says.")
            % {"title": found.survey.title},
        )
    return redirect("surveys:survey_builder", program_id, survey_id)


@login_required
@require_POST
def survey_close(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    try:
        services.survey_close(survey=found.survey, by=user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(title)s” is closed.") % {"title": found.survey.title})
    return redirect("surveys:survey_results", program_id, survey_id)


@login_required
@require_POST
def survey_delete(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    user = request.user
    found = access_survey(user, program_id, survey_id)
    try:
        services.survey_delete(survey=found.survey, by=user)
    except SurveyError as error:
        messages.error(request, str(error))
        return redirect("surveys:survey_builder", program_id, survey_id)
    messages.success(request, _("“%(title)s” is deleted.") % {"title": found.survey.title})
    return redirect("surveys:survey_list", program_id)


# ------------------------------------------------------------------------------
# Coordinators: results and export
# ------------------------------------------------------------------------------


@login_required
@require_safe
def survey_results(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    found = access_survey(request.user, program_id, survey_id)
    role = request.GET.get("role", "")
    result = results_module.survey_results(survey=found.survey, role_filter=role)
    context = {
        "program": found.access.program,
        "survey": found.survey,
        "results": result,
        "roles": [
            (value, label)
            for value, label in results_module.ROLE_LABELS.items()
            if value in found.survey.roles
        ],
    }
    return render(request, "surveys/survey_results.html", context)


def _cell(value: int | float | None) -> int | float | str:
    return "" if value is None else value


@login_required
@require_safe
def survey_export(
    request: AuthenticatedHttpRequest, program_id: int, survey_id: int
) -> HttpResponse:
    """The results as CSV: the same suppressed figures as the page, nothing more."""
    found = access_survey(request.user, program_id, survey_id)
    result = results_module.survey_results(survey=found.survey)
    name = slugify(found.survey.title) or "survey"
    response, writer = csv_download(
        request,
        filename=f"{name}-results.csv",
        export="survey_results",
        target=found.survey,
        detail={"program_id": program_id},
    )
    hidden = _("hidden")

    def count(value: int | None) -> int | str:
        return hidden if value is None else value

    writer.writerow([_("section"), _("question"), _("group"), _("answer"), _("people"), _("value")])
    writer.writerow([_("invited"), "", _("everyone"), "", count(result.invited), ""])
    writer.writerow([_("answered"), "", _("everyone"), "", count(result.answered), ""])
    writer.writerow([_("response rate %"), "", _("everyone"), "", "", _cell(result.rate)])
    for row in result.roles:
        writer.writerow([_("invited"), "", row.label, "", count(row.count), ""])
        writer.writerow([_("answered"), "", row.label, "", count(row.cells[0]), ""])
    for week in result.weeks:
        writer.writerow([_("answered"), "", week.week_on.isoformat(), "", count(week.count), ""])
    for item in result.questions:
        text = item.question.text
        if item.question.kind == Question.Kind.TEXT:
            writer.writerow([_("answers"), text, _("everyone"), "", count(item.count), ""])
            for answer in item.texts:
                writer.writerow([_("free text"), text, answer.name, "", "", answer.text])
            continue
        writer.writerow([_("answers"), text, _("everyone"), "", count(item.count), ""])
        for bar in item.bars:
            writer.writerow(
                [_("distribution"), text, _("everyone"), bar.label, count(bar.count), ""]
            )
        if item.average is not None:
            writer.writerow([_("average"), text, _("everyone"), "", "", item.average])
        if item.nps is not None:
            writer.writerow([_("NPS"), text, _("everyone"), "", "", item.nps])
        for row in item.roles:
            for label, value in zip(item.option_labels, row.cells, strict=True):
                writer.writerow([_("distribution"), text, row.label, label, count(value), ""])
            if row.average is not None:
                writer.writerow([_("average"), text, row.label, "", count(row.count), row.average])
            if row.nps is not None:
                writer.writerow([_("NPS"), text, row.label, "", count(row.count), row.nps])
        for week in item.weeks:
            writer.writerow(
                [
                    _("average"),
                    text,
                    week.week_on.isoformat(),
                    "",
                    count(week.count),
                    _cell(week.average),
                ]
            )
    return response


# ------------------------------------------------------------------------------
# Answering (public, by one-time link)
# ------------------------------------------------------------------------------

_UNAVAILABLE_STATUS = {
    LinkState.INVALID: 404,
    LinkState.ANSWERED: 409,
    LinkState.CLOSED: 410,
    LinkState.SOMEONE_ELSE: 403,
}


def _unavailable(request: HttpRequest, state: LinkState, survey: Survey | None) -> HttpResponse:
    return render(
        request,
        "surveys/answer_unavailable.html",
        {"state": state.value, "survey": survey},
        status=_UNAVAILABLE_STATUS[state],
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, survey_id: int, token: str) -> HttpResponse:
    check = services.invitation_check(survey_id=survey_id, token=token, user=request.user)
    invitation = check.invitation
    if check.state != LinkState.OK or invitation is None:
        survey = invitation.survey if invitation is not None else None
        return _unavailable(request, check.state, survey)
    survey = invitation.survey
    questions = services.questions_for(survey, invitation.role)
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(invitation=invitation, answers=form.answers())
        except services.AlreadyAnswered:
            return _unavailable(request, LinkState.ANSWERED, survey)
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            answered_survey_remember(request.session, survey)
            return redirect("surveys:survey_thanks", survey.pk)
    context = {
        "survey": survey,
        "program": survey.program,
        "form": form,
        "participant": invitation.participant,
        "closes_at": survey.closes_at,
    }
    response = render(request, "surveys/answer.html", context, status=400 if form.errors else 200)
    # The token stays out of other sites' logs. Not "no-referrer": browsers then send
    # "Origin: null" with the form, and CSRF protection rightly refuses it.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_safe
def survey_thanks(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = access_answered_survey(request.session, survey_id)
    return render(request, "surveys/answer_thanks.html", {"survey": survey})


# ------------------------------------------------------------------------------
# HR
# ------------------------------------------------------------------------------


@login_required
@require_safe
def hr_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Survey figures across every program: aggregates only, small groups hidden."""
    access_hr(request.user)
    programs = Program.objects.exclude(state=Program.State.DRAFT).order_by("name", "id")
    overview = survey_hr.hr_overview(programs=programs)
    return render(
        request, "surveys/hr_overview.html", {"overview": overview, "now": timezone.now()}
    )
