"""The abstract model behind every ordered list of questions."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from mentoring.audience import AUDIENCE_ROLES, Audience


class OrderedQuestion(models.Model):
    """One question in an owner's ordered list (a program's profile, a survey).

    Subclasses add the foreign key to their owner, name it in ``owner_field``, and
    declare ``kind`` again with their own ``Kind`` choices. Positions are dense
    (1, 2, 3, ...) and unique per owner as long as the builder is the only writer.
    """

    # The kinds whose answers pick from ``choices``.
    CHOICE_KINDS: ClassVar[frozenset[str]] = frozenset({"single_choice", "multi_choice"})
    # The name of the foreign key to the owner, which every list is scoped by.
    owner_field: ClassVar[str]

    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("type of answer"), max_length=20)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    audience = models.CharField(
        _("asked of"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.BOTH,
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.text

    @property
    def roles(self) -> tuple[str, ...]:
        """The participant roles that are asked this question."""
        return AUDIENCE_ROLES[self.audience]
