"""Feedback surveys: questions, schedules, one-time invitations and answers.

Anonymity is a property of the data, not of the pages:

- An anonymous survey's :class:`Response` has no link to its invitation, its
  participant or its user, and no precise time: only the role (for breakdowns by
  role) and the Monday of the week it was given (for figures over time). The
  invitation records only *that* it was answered, in the same week resolution.
- One response per invitation: the response is written in the transaction that
  claims its invitation with a conditional UPDATE (still unanswered, nonce unchanged)
  and erases the invitation's nonce, so a second submission finds nothing to claim.
  Every response carries a ``receipt``, unique per survey: for an identified survey
  the invitation's id (so the database itself refuses a second response); for an
  anonymous one a random value, written nowhere else. It was once a hash of the
  nonce, which the emailed link carries readably (signed, not encrypted): whoever
  held the link could find the response. A random receipt cannot be recomputed from
  a link, an email, a log, the secret key or the database. The trade-off: before
  answering, the nonce sits on the invitation, so an anonymous answer is
  unlinkable only from the moment it is given; and a coordinator cannot "re-open"
  an anonymous invitation. docs/surveys.md says what anonymity covers and what not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.audience import AUDIENCE_ROLES, Audience
from mentoring.questions.models import OrderedQuestion
from pairs.models import Mentorship
from programs.models import Participant, Program


class Survey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being built; nobody is invited
        OPEN = "open", _("Open")  # published: invitations go out as the schedule says
        CLOSED = "closed", _("Closed")  # links show a "closed" page; results remain

    class Trigger(models.TextChoices):
        ON_PUBLISH = "on_publish", _("As soon as it is published")
        PROGRAM_START = "program_start", _("A number of days after the program starts")
        PROGRAM_END = "program_end", _("At the program's end (plus a number of days)")
        # One invitation per pair, for each of its two people.
        MATCH_STARTED = "match_started", _("A number of days after a pair is published")
        # Counts the pair's completed check-ins (programs.CheckIn, once it exists).
        EVERY_KTH_CHECKIN = "every_kth_checkin", _("After every Kth check-in of a pair")
        MENTORSHIP_CLOSED = "mentorship_closed", _("When a pair's mentorship closes")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        blank=True,
        max_length=2000,
        help_text=_("Shown above the questions: why you ask and how answers are used."),
    )
    audience = models.CharField(
        _("who is asked"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.BOTH,
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=True,
        help_text=_("Anonymous answers are stored without any link to the person who gave them."),
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # Which ready-made template it started from ("" for a blank survey).
    template_key = models.CharField(max_length=40, blank=True, editable=False)
    # The schedule.
    trigger = models.CharField(
        _("send"), max_length=20, choices=Trigger.choices, default=Trigger.ON_PUBLISH
    )
    offset_days = models.PositiveSmallIntegerField(
        _("days after"), default=0, validators=[MaxValueValidator(365)]
    )
    checkin_every = models.PositiveSmallIntegerField(
        _("every Kth check-in"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    reminder_count = models.PositiveSmallIntegerField(
        _("reminders"),
        default=2,
        validators=[MaxValueValidator(2)],
        help_text=_("Sent only to people who have not answered; at most two."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days between reminders"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    closes_at = models.DateTimeField(
        _("closes"),
        null=True,
        blank=True,
        help_text=_("After this, links show a friendly “closed” page."),
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="draft") | Q(closes_at__isnull=False),
                name="survey_published_has_closing",
            ),
            models.CheckConstraint(
                condition=Q(reminder_count__lte=2), name="survey_at_most_two_reminders"
            ),
        ]
        indexes = [models.Index(fields=["state", "closes_at"], name="survey_state_closes")]

    def __str__(self) -> str:
        return self.title

    @property
    def roles(self) -> tuple[str, ...]:
        return AUDIENCE_ROLES[self.audience]


class Question(OrderedQuestion):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1-5")
        NPS = "nps", _("Recommendation 0-10 (NPS)")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        TEXT = "text", _("Free text")

    owner_field = "survey"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type of answer"), max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["survey", "position", "id"]

    @property
    def scale(self) -> list[int]:
        """The possible values of a rating or NPS question, low to high."""
        if self.kind == self.Kind.RATING:
            return list(range(1, 6))
        if self.kind == self.Kind.NPS:
            return list(range(11))
        return []


class Invitation(models.Model):
    """One person asked once: by email, with a one-time link that needs no sign-in."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # The pair it is about, for schedules that follow pairs.
    mentorship = models.ForeignKey(
        Mentorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What it is for, so a schedule never invites twice for the same thing:
    # "" (the program's dates), "m<pair>" (a new pair), "m<pair>:c<n>" (n check-ins),
    # "m<pair>:end" (a pair closing).
    occasion = models.CharField(max_length=40, blank=True)
    role = models.CharField(max_length=10, choices=Participant.Role.choices)
    # The random part of the link; erased once answered, so the link works once.
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    # For anonymous surveys only the Monday of the week (see the module docstring).
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "participant", "occasion"],
                name="invitation_once_per_occasion",
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent__lte=2), name="invitation_at_most_two_reminders"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(answered_at__isnull=True, next_reminder_at__isnull=False),
                name="invitation_reminder_due",
            ),
            models.Index(
                fields=["survey"], condition=Q(sent_at__isnull=True), name="invitation_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.participant_id}{self.occasion and ':' + self.occasion}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class Response(models.Model):
    """One set of answers; for anonymous surveys it cannot be traced to anyone."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    role = models.CharField(max_length=10, choices=Participant.Role.choices)
    # One response per invitation (see the module docstring for what it holds).
    receipt = models.CharField(max_length=64)
    # Identified surveys only: who answered, and when exactly.
    participant = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Every response: the Monday of the week it was given.
    week_on = models.DateField()

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "receipt"], name="response_one_per_invitation"
            ),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # An int (rating, NPS), a string (single choice, free text) or a list of strings.
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="survey_answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
