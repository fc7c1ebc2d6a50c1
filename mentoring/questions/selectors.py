"""The question builder's reads, for any subclass of OrderedQuestion."""

from __future__ import annotations

from typing import cast

from django.db import models
from django.db.models import Count, QuerySet

from mentoring.questions.models import OrderedQuestion


def question_list[Q: OrderedQuestion](
    *, model: type[Q], owner: models.Model, answer_counts: bool = False
) -> QuerySet[Q]:
    """The owner's questions in order; with ``answer_counts``, each has ``answer_count``
    (how many answers point at it through the ``answers`` relation)."""
    questions = model._default_manager.filter(**{model.owner_field: owner})
    if answer_counts:
        questions = cast(QuerySet[Q], questions.annotate(answer_count=Count("answers")))
    # Meta.ordering does not apply to aggregating queries, so the order is spelled out.
    return questions.order_by("position", "id")
