"""The question builder's writes and its list, for any subclass of OrderedQuestion.

Every write that changes positions locks the owner's row first (``select_for_update``),
so two coordinators adding, moving or deleting at once queue up and positions stay
dense and unique. These functions record nothing: the app's own service checks who
may edit, calls them and writes the audit row from its ``by``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from mentoring.audience import Audience
from mentoring.questions.models import OrderedQuestion

TEXT_MAX_LENGTH = 300
CHOICES_MIN = 2
CHOICES_MAX = 20
CHOICE_MAX_LENGTH = 100


class QuestionError(Exception):
    """A question that cannot be saved as given; the message is for the person."""


@dataclass(frozen=True)
class QuestionFields:
    """A question's shared fields, cleaned: what ``question_add`` and ``question_update`` save."""

    text: str
    help_text: str
    kind: str
    choices: list[str]
    is_required: bool
    audience: str


def question_clean(
    *,
    model: type[OrderedQuestion],
    text: str,
    kind: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
) -> QuestionFields:
    """The fields as they are stored; QuestionError when something is not acceptable.

    Spaces are collapsed; choices are kept only for choice kinds, each once (ignoring
    case), between CHOICES_MIN and CHOICES_MAX of them.
    """
    text = " ".join(text.split())
    help_text = " ".join(help_text.split())
    if not text:
        raise QuestionError(_("Write the question."))
    if len(text) > TEXT_MAX_LENGTH or len(help_text) > TEXT_MAX_LENGTH:
        raise QuestionError(_("Keep the question and its help text under 300 characters each."))
    if kind not in {value for value, _label in model._meta.get_field("kind").choices or ()}:
        raise QuestionError(_("Choose what kind of answer the question takes."))
    if audience not in Audience.values:
        raise QuestionError(_("Choose who is asked the question."))
    cleaned: list[str] = []
    if kind in model.CHOICE_KINDS:
        seen: set[str] = set()
        for choice in choices:
            choice = " ".join(choice.split())
            if not choice:
                continue
            if len(choice) > CHOICE_MAX_LENGTH:
                raise QuestionError(
                    _("Keep each choice under %(max)s characters.") % {"max": CHOICE_MAX_LENGTH}
                )
            if choice.casefold() in seen:
                raise QuestionError(
                    _("“%(choice)s” is listed twice; give each choice once.") % {"choice": choice}
                )
            seen.add(choice.casefold())
            cleaned.append(choice)
        if not CHOICES_MIN <= len(cleaned) <= CHOICES_MAX:
            raise QuestionError(
                _("Give between %(min)s and %(max)s different choices, one per line.")
                % {"min": CHOICES_MIN, "max": CHOICES_MAX}
            )
    return QuestionFields(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=cleaned,
        is_required=is_required,
        audience=audience,
    )


def _owned[Q: OrderedQuestion](model: type[Q], owner_id: int) -> QuerySet[Q]:
    return model._default_manager.filter(**{f"{model.owner_field}_id": owner_id})


def _owner_lock(model: type[OrderedQuestion], owner_id: int) -> None:
    """Lock the owner's row: every change to the list's positions waits its turn."""
    owner_model = model._meta.get_field(model.owner_field).related_model
    if not (isinstance(owner_model, type) and issubclass(owner_model, models.Model)):
        raise TypeError(f"{model.__name__}.{model.owner_field} is not a foreign key")
    list(owner_model._default_manager.select_for_update().filter(pk=owner_id).values_list("pk"))


def _positions_set(questions: Sequence[OrderedQuestion]) -> int:
    """Number these questions 1, 2, 3, ... in the order given; returns how many moved."""
    changed = []
    for position, question in enumerate(questions, start=1):
        if question.position != position:
            question.position = position
            changed.append(question)
    if changed:
        type(changed[0])._default_manager.bulk_update(changed, ["position"])
    return len(changed)


@transaction.atomic
def question_add[Q: OrderedQuestion](
    *, model: type[Q], owner: models.Model, fields: QuestionFields, **extra: Any
) -> Q:
    """Add a question at the end of the owner's list; ``extra`` sets the subclass's own
    fields."""
    _owner_lock(model, owner.pk)
    last = _owned(model, owner.pk).aggregate(last=Max("position"))["last"]
    return model._default_manager.create(
        **{model.owner_field: owner},
        text=fields.text,
        help_text=fields.help_text,
        kind=fields.kind,
        choices=fields.choices,
        is_required=fields.is_required,
        audience=fields.audience,
        position=(last or 0) + 1,
        **extra,
    )


@transaction.atomic
def question_update[Q: OrderedQuestion](*, question: Q, fields: QuestionFields, **extra: Any) -> Q:
    """Save new fields on a question (and ``extra``, the subclass's own); its place stays."""
    question.text = fields.text
    question.help_text = fields.help_text
    question.kind = fields.kind
    question.choices = fields.choices
    question.is_required = fields.is_required
    question.audience = fields.audience
    for name, value in extra.items():
        setattr(question, name, value)
    question.save(
        update_fields=["text", "help_text", "kind", "choices", "is_required", "audience", *extra]
    )
    return question


@transaction.atomic
def question_order_set[Q: OrderedQuestion](
    *, model: type[Q], owner: models.Model, question_ids: Sequence[int]
) -> int:
    """Put the owner's questions in this order (every one exactly once); returns how many
    moved. QuestionError when the ids are not exactly the owner's questions."""
    _owner_lock(model, owner.pk)
    questions = {q.pk: q for q in _owned(model, owner.pk)}
    ids = list(question_ids)
    if len(ids) != len(set(ids)) or set(ids) != set(questions):
        raise QuestionError(
            _("The list of questions changed while you were ordering it; reload and try again.")
        )
    return _positions_set([questions[pk] for pk in ids])


@transaction.atomic
def question_move(*, question: OrderedQuestion, offset: int) -> int:
    """Move a question up (offset -1) or down (+1); returns how many questions changed
    place, 0 when it is already at that end."""
    model = type(question)
    owner_id = getattr(question, f"{model.owner_field}_id")
    _owner_lock(model, owner_id)
    questions = list(_owned(model, owner_id).order_by("position", "id"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    target = index + offset
    if not 0 <= target < len(questions):
        return 0
    questions[index], questions[target] = questions[target], questions[index]
    return _positions_set(questions)


@transaction.atomic
def question_delete(*, question: OrderedQuestion) -> None:
    """Delete a question (and, by cascade, its answers); the rest close up."""
    model = type(question)
    owner_id = getattr(question, f"{model.owner_field}_id")
    _owner_lock(model, owner_id)
    question.delete()
    _positions_set(list(_owned(model, owner_id).order_by("position", "id")))
