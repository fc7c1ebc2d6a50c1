"""The coordinator's profile-question builder."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import Need, ProgramAccess, access_program
from programs.models import ProfileQuestion, Program
from programs.profiles import questions as profile_questions
from programs.profiles import selectors as profile_selectors
from programs.profiles.forms import QuestionForm
from programs.services import ProgramError


def _question(access: ProgramAccess, question_id: int) -> ProfileQuestion:
    question = (
        profile_selectors.question_list(program=access.program).filter(pk=question_id).first()
    )
    if question is None:
        raise Http404
    question.program = access.program
    return question


def _list_context(access: ProgramAccess) -> dict[str, object]:
    return {
        "program": access.program,
        "questions": list(profile_selectors.question_list(program=access.program)),
        "is_closed": access.program.state == Program.State.CLOSED,
    }


@login_required
@require_http_methods(["GET", "POST"])
def question_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = profile_questions.question_create(
                program=access.program, by=user, **form.question_fields()
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Question added: “%(text)s”.") % {"text": question.text})
            return redirect("programs:question_list", program_id=access.program.pk)
    return render(request, "programs/question_list.html", {"form": form, **_list_context(access)})


@login_required
@require_POST
def question_reorder(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Move one question up or down, or (with ``order``) put them all in a new order."""
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    try:
        if "order" in request.POST:
            try:
                ids = [int(pk) for pk in request.POST.getlist("order")]
            except ValueError:
                raise ProgramError(_("That order is not valid.")) from None
            profile_questions.question_reorder(program=access.program, question_ids=ids, by=user)
            messages.success(request, _("Questions reordered."))
        else:
            try:
                question = _question(access, int(request.POST.get("question", "")))
            except ValueError:
                raise Http404 from None
            direction = request.POST.get("direction")
            if direction not in ("up", "down"):
                raise ProgramError(_("Choose whether to move the question up or down."))
            moved = profile_questions.question_move(
                question=question, offset=-1 if direction == "up" else 1, by=user
            )
            if moved:
                message = (
                    _("Moved “%(text)s” up.") if direction == "up" else _("Moved “%(text)s” down.")
                )
                messages.success(request, message % {"text": question.text})
    except ProgramError as error:
        messages.error(request, str(error))
    if request.htmx:
        return render(request, "programs/question_list.html#question_list", _list_context(access))
    return redirect("programs:question_list", program_id=access.program.pk)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(
    request: AuthenticatedHttpRequest, program_id: int, question_id: int
) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    question = _question(access, question_id)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            question = profile_questions.question_update(
                question=question, by=user, **form.question_fields()
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Question saved: “%(text)s”.") % {"text": question.text})
            return redirect("programs:question_list", program_id=access.program.pk)
    return render(
        request,
        "programs/question_edit.html",
        {"program": access.program, "question": question, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(
    request: AuthenticatedHttpRequest, program_id: int, question_id: int
) -> HttpResponse:
    """GET asks for confirmation (the answers go too); POST deletes."""
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    question = _question(access, question_id)
    if request.method == "POST":
        try:
            profile_questions.question_delete(question=question, by=user)
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Question deleted: “%(text)s”.") % {"text": question.text})
        return redirect("programs:question_list", program_id=access.program.pk)
    return render(
        request,
        "programs/question_delete.html",
        {"program": access.program, "question": question},
    )
