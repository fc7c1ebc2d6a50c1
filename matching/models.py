"""Matching: a program's criteria and rules, match runs and their draft pairs, pins
and blocks, and mentees' self-match requests.

The scoring and the solver are pure modules (:mod:`matching.scoring`,
:mod:`matching.solver`); these models hold what the coordinator chose and what a
run proposed, so that a draft can be reviewed, changed and published later.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pairs.models import Mentorship
from programs.models import Participant, Program


class Objective(models.TextChoices):
    TOTAL = "total", _("Best total score")
    COVERAGE = "coverage", _("Most people matched, then best score")
    FAIRNESS = "fairness", _("Fairest: raise the lowest score first")


class MatchSettings(models.Model):
    """A program's hard rules and options for matching (one row per program)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="match_settings")
    objective = models.CharField(
        _("objective"), max_length=10, choices=Objective.choices, default=Objective.TOTAL
    )
    # Never pair someone with their manager, their manager's manager and so on, or
    # with a colleague who has the same direct manager (from the manager's email).
    avoid_reporting_line = models.BooleanField(
        _("never within the same reporting line"), default=True
    )
    avoid_same_department = models.BooleanField(
        _("never within the same department"), default=False
    )
    require_shared_language = models.BooleanField(_("require a shared language"), default=False)
    # Self-match: mentees browse recommended mentors and send requests.
    self_match = models.BooleanField(_("let mentees choose their mentor"), default=False)
    self_match_max_requests = models.PositiveSmallIntegerField(
        _("choices per mentee"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("How many mentors a mentee may list, in order of preference."),
    )
    self_match_response_days = models.PositiveSmallIntegerField(
        _("days a mentor has to answer"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("After this, the request passes to the mentee's next choice."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")

    def __str__(self) -> str:
        return f"matching settings of {self.program_id}"


class MatchCriterion(models.Model):
    """One rule of a program's matching: which profile field, how, and how much it counts."""

    class Rule(models.TextChoices):
        SIMILAR = "similar", _("Similar: the more they share, the better")
        COMPLEMENTARY = "complementary", _("Complementary: the mentor offers what the mentee wants")
        SENIORITY_GAP = "seniority_gap", _("Mentor is at least N levels more senior")
        SAME = "same", _("Same value")
        DIFFERENT = "different", _("Different value")
        TIME_ZONE = "time_zone", _("Close time zones")
        SIMILAR_THEMES = "similar_themes", _("Similar themes: their own words mention the same")

    class Weight(models.TextChoices):
        MANDATORY = "mandatory", _("Mandatory")
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")
        CUSTOM = "custom", _("A number")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_criteria")
    # A profile field ("skills", "interests", "languages", "department", "location",
    # "seniority", "time_zone") or a matching-input question ("q<id>"). For a
    # complementary rule, field is what the mentee wants and mentor_field what the
    # mentor offers; for similar themes, both are free-text fields (mentor_field empty:
    # the same field on both sides).
    field = models.CharField(_("field"), max_length=40)
    mentor_field = models.CharField(_("mentor's field"), max_length=40, blank=True)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    weight = models.CharField(
        _("weight"), max_length=10, choices=Weight.choices, default=Weight.MEDIUM
    )
    custom_weight = models.DecimalField(
        _("weight (number)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    min_gap = models.PositiveSmallIntegerField(
        _("levels"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    max_hours = models.PositiveSmallIntegerField(
        _("hours apart"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The full penalty (or, if mandatory, the limit) at this many hours apart."),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "field", "rule", "mentor_field"],
                name="criterion_once_per_program",
            ),
            models.CheckConstraint(
                condition=~Q(weight="custom") | Q(custom_weight__isnull=False),
                name="criterion_custom_weight_set",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field} {self.rule} ({self.weight})"


class PairRule(models.Model):
    """A coordinator's pin (always pair these two) or block (never pair them)."""

    class Kind(models.TextChoices):
        PIN = "pin", _("Always pair")
        BLOCK = "block", _("Never pair")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pair_rules")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="pair_rule_once_per_pair"),
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(kind="pin"), name="pair_rule_one_pin_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.mentee_id}-{self.mentor_id}"


class MatchRun(models.Model):
    """One execution of the matching over a program's people: a draft until published."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DRAFT = "draft", _("Draft")  # done; nobody has been told
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")  # mentorships created, people emailed
        DISCARDED = "discarded", _("Replaced")  # a newer run or publication superseded it

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    objective = models.CharField(max_length=10, choices=Objective.choices)
    # What the run used: criteria, rules and pins/blocks, so a draft explains itself
    # even after the coordinator changes the settings.
    config = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    stage = models.CharField(max_length=120, blank=True)
    # Totals of the draft: matched, unmatched, total and lowest score, solver stats.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["program", "status"], name="match_run_program_status")]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.program_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class MatchProposal(models.Model):
    """A mentee's line in a run: their proposed mentor with the score and why, or
    no mentor with the reason."""

    class Unmatched(models.TextChoices):
        NO_CANDIDATE = "no_candidate", _("No mentor passes the hard rules")
        CAPACITY = "capacity", _("Every suitable mentor is full")
        REMOVED = "removed", _("Removed by a coordinator")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    unmatched_reason = models.CharField(max_length=12, choices=Unmatched.choices, blank=True)
    pinned = models.BooleanField(default=False)
    # Changed by hand after the run (a swap or a removal).
    edited = models.BooleanField(default=False)
    mentorship = models.OneToOneField(
        Mentorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposal"
    )

    class Meta:
        ordering = ["run", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="proposal_one_per_mentee"),
            models.CheckConstraint(
                condition=Q(mentor__isnull=False) | ~Q(unmatched_reason=""),
                name="proposal_mentor_or_reason",
            ),
        ]
        indexes = [models.Index(fields=["run", "mentor"], name="proposal_run_mentor")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.mentee_id} -> {self.mentor_id}"


class MatchRequest(models.Model):
    """A mentee's self-match request to one mentor, one of up to N ranked choices.

    Only one of a mentee's requests waits for an answer at a time (``pending``); the
    others are ``queued`` behind it in rank order. A pending request holds one of the
    mentor's places, so two mentees cannot both get a mentor's last place.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Next in line")  # waits for the earlier choices
        PENDING = "pending", _("Waiting for the mentor")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Not answered in time")
        WITHDRAWN = "withdrawn", _("Withdrawn")  # the mentee cancelled it
        SKIPPED = "skipped", _("Mentor was full")  # passed over: no place left when its turn came

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_requests")
    mentee = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    message = models.TextField(_("a note to the mentor"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # became pending
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_note = models.CharField(max_length=300, blank=True)
    mentorship = models.OneToOneField(
        Mentorship, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )

    class Meta:
        ordering = ["program", "mentee", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee", "mentor"],
                condition=Q(state__in=["queued", "pending"]),
                name="request_open_once_per_pair",
            ),
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(state="pending"),
                name="request_one_pending_per_mentee",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "state"], name="request_mentor_state"),
            models.Index(fields=["state", "expires_at"], name="request_state_expires"),
        ]

    def __str__(self) -> str:
        return f"request {self.mentee_id} -> {self.mentor_id} ({self.state})"
