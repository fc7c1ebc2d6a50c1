"""A program's profile questions: the coordinator's builder, on the shared one.

mentoring/questions does the ordering and cleaning; this module adds the program's
rules (closed programs do not change, an answered question keeps its meaning), the
completeness it affects and the audit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mentoring.audience import AUDIENCES_BY_ROLE, Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from mentoring.questions import services as builder
from programs.models import Participant, ProfileQuestion, Program
from programs.profiles.completeness import program_completeness_refresh
from programs.services import ProgramError


def _question_clean(**fields: Any) -> builder.QuestionFields:
    try:
        return builder.question_clean(model=ProfileQuestion, **fields)
    except builder.QuestionError as error:
        raise ProgramError(str(error)) from None


def _program_editable(program: Program) -> None:
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))


@transaction.atomic
def question_create(
    *,
    program: Program,
    text: str,
    kind: str,
    by: User,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
    is_matching_input: bool = False,
) -> ProfileQuestion:
    """Add a question at the end of the program's list."""
    _program_editable(program)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    question = builder.question_add(
        model=ProfileQuestion,
        owner=program,
        fields=fields,
        is_matching_input=is_matching_input,
    )
    if is_required:
        program_completeness_refresh(program=program)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_create", "program_id": program.pk},
    )
    return question


def _answers_in_use(question: ProfileQuestion, removed: set[str]) -> list[str]:
    """Which of these removed choices some answer still uses."""
    used: set[str] = set()
    for value in question.answers.values_list("value", flat=True):
        picked = value if isinstance(value, list) else [value]
        used.update(choice for choice in picked if choice in removed)
    return [choice for choice in question.choices if choice in used]


@transaction.atomic
def question_update(
    *,
    question: ProfileQuestion,
    by: User,
    text: str,
    kind: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
    is_matching_input: bool = False,
) -> ProfileQuestion:
    """Change a question. Once people have answered it, its meaning is locked:

    the kind cannot change, a choice someone picked cannot be removed or renamed
    (new choices may be added), and the audience cannot drop a role whose members
    answered. Text, help text, required and the matching flag may always change.
    """
    _program_editable(question.program)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    cleaned = fields.choices
    question = ProfileQuestion.objects.select_for_update().get(pk=question.pk)
    answers = question.answers.all()
    if answers.exists():
        if kind != question.kind:
            raise ProgramError(
                _(
                    "People have answered this question, so its type cannot change. "
                    "Add a new question instead."
                )
            )
        removed = set(question.choices) - set(cleaned)
        in_use = _answers_in_use(question, removed) if removed else []
        if in_use:
            raise ProgramError(
                _(
                    "These choices were picked by people who answered, so they cannot be "
                    "removed or renamed: %(choices)s."
                )
                % {"choices": ", ".join(f"“{choice}”" for choice in in_use)}
            )
        dropped_roles = [
            role
            for role, audiences in AUDIENCES_BY_ROLE.items()
            if question.audience in audiences and audience not in audiences
        ]
        if dropped_roles and answers.filter(participant__role__in=dropped_roles).exists():
            raise ProgramError(
                _("Some %(role)s have answered this question, so it must still be asked of them.")
                % {
                    "role": _("mentors")
                    if Participant.Role.MENTOR in dropped_roles
                    else _("mentees")
                }
            )
    completeness_changes = is_required != question.is_required or (
        is_required and audience != question.audience
    )
    builder.question_update(question=question, fields=fields, is_matching_input=is_matching_input)
    if completeness_changes:
        program_completeness_refresh(program=question.program)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_update", "program_id": question.program_id},
    )
    return question


@transaction.atomic
def question_delete(*, question: ProfileQuestion, by: User) -> int:
    """Delete a question and every answer to it; returns how many answers went."""
    program = question.program
    _program_editable(program)
    answer_count = question.answers.count()
    was_required = question.is_required
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_delete", "program_id": program.pk, "answers": answer_count},
    )
    builder.question_delete(question=question)
    if was_required:
        program_completeness_refresh(program=program)
    return answer_count


@transaction.atomic
def question_reorder(*, program: Program, question_ids: Sequence[int], by: User) -> None:
    """Put the program's questions in this order (every question exactly once)."""
    _program_editable(program)
    try:
        moved = builder.question_order_set(
            model=ProfileQuestion, owner=program, question_ids=question_ids
        )
    except builder.QuestionError as error:
        raise ProgramError(str(error)) from None
    _reordered(program, moved, by)


def _reordered(program: Program, moved: int, by: User) -> None:
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "question_reorder", "moved": moved},
    )


@transaction.atomic
def question_move(*, question: ProfileQuestion, offset: int, by: User) -> bool:
    """Move a question up (offset -1) or down (+1); False when it is already at that end."""
    _program_editable(question.program)
    moved = builder.question_move(question=question, offset=offset)
    if moved:
        _reordered(question.program, moved, by)
    return bool(moved)
