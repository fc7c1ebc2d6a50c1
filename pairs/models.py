"""Pairs: mentorships, their workspace (agreement, goals, milestones, check-ins) and
the reminders due to each person of a pair.

These models began in the programs app and keep its tables (``db_table``), so moving
them changed no data (migrations 0001 here, 0009 in programs).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Participant, Program


class Mentorship(models.Model):
    """A published pair: one mentor and one mentee of a program.

    Created by publishing a match run or by a mentor accepting a self-match request;
    its state changes only through :func:`pairs.mentorships.mentorship_end` (and
    the program's closing), each change recorded in :class:`MentorshipStateChange`.
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")  # published; the pair meets
        COMPLETED = "completed", _("Completed")  # ran until the program's end
        ENDED = "ended", _("Ended early")  # ended before the end, with a reason

    class Source(models.TextChoices):
        MATCH_RUN = "match_run", _("Matching run")
        SELF_MATCH = "self_match", _("Mentee's request")
        MANUAL = "manual", _("Set by a coordinator")

    class EndReason(models.TextChoices):
        # Structured and no-fault: nobody is blamed, coordinators see the reason only.
        GOALS_MET = "goals_met", _("We reached our goals early")
        SCHEDULES = "schedules", _("Our schedules don't fit")
        FIT = "fit", _("Not the right fit for what I need now")
        ROLE_CHANGE = "role_change", _("A change of role, team or location")
        LEAVING = "leaving", _("One of us is leaving the organisation")
        BREAK = "break", _("I need a break from the program")
        OTHER = "other", _("Another reason")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="mentorships_as_mentor"
    )
    mentee = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="mentorships_as_mentee"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.ACTIVE, editable=False
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MATCH_RUN)
    # The score (0-100) and its parts when the pair was made: "why you were matched".
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason"), max_length=16, choices=EndReason.choices, blank=True)
    # Pairs from a matching run: when both introduction emails went out. Null while
    # they are due, which is what the introduction sweep looks for (docs/outbound.md).
    introduced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "programs_mentorship"
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "mentee"],
                condition=Q(state="active"),
                name="mentorship_one_active_per_mentee",
            ),
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=Q(state="active"),
                name="mentorship_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")), name="mentorship_two_people"
            ),
            models.CheckConstraint(
                condition=Q(state="active") | Q(ended_at__isnull=False),
                name="mentorship_closed_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "state"], name="mentorship_program_state"),
            # The introduction sweep's work list (matching.runs.match_introductions_send).
            models.Index(
                fields=["id"],
                condition=Q(source="match_run", state="active", introduced_at__isnull=True),
                name="mentorship_introduction_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} -> {self.mentee_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class MentorshipStateChange(models.Model):
    """Audit row: who moved a mentorship from one state to another, when and why."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="state_changes"
    )
    from_state = models.CharField(max_length=12, choices=Mentorship.State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=Mentorship.State.choices)
    reason = models.CharField(max_length=16, choices=Mentorship.EndReason.choices, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        db_table = "programs_mentorshipstatechange"
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.mentorship_id}: {self.from_state or '-'} -> {self.to_state}"


# ------------------------------------------------------------------------------
# The mentorship workspace (issue 5): agreement, pair goals, check-ins, reminders.
# Everything below except the dates and counts of check-ins is private to the pair.
# ------------------------------------------------------------------------------


class MentorshipAgreement(models.Model):
    """What the pair agrees at the start; both accept it. Editing the expectations
    asks both to accept again."""

    mentorship = models.OneToOneField(
        Mentorship, on_delete=models.CASCADE, related_name="agreement"
    )
    expectations = models.TextField(_("our expectations"), max_length=2000, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    mentee_accepted_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "programs_mentorshipagreement"

    def __str__(self) -> str:
        return f"Agreement of {self.mentorship_id}"

    @property
    def is_accepted(self) -> bool:
        return self.mentor_accepted_at is not None and self.mentee_accepted_at is not None


class PairGoal(models.Model):
    """A goal the pair works on, with milestones and a progress estimate."""

    class Status(models.TextChoices):
        OPEN = "open", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Set aside")  # no longer relevant; kept for the record

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="pair_goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("details"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "programs_pairgoal"
        ordering = ["mentorship", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="pair_goal_progress_pct"),
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk} of {self.mentorship_id}"


class Milestone(models.Model):
    goal = models.ForeignKey(PairGoal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("by"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "programs_milestone"
        ordering = ["goal", "position", "id"]

    def __str__(self) -> str:
        return f"Milestone {self.pk} of goal {self.goal_id}"


class CheckIn(models.Model):
    """One meeting of a pair: proposed, scheduled, then logged as done or missed.

    ``scheduled_at`` is UTC and shown in each person's own time zone. The dates,
    status and duration are what coordinators may see; topics, notes, ratings and
    goal progress are the pair's alone.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")  # one person suggested the time; the other decides
        SCHEDULED = "scheduled", _("Scheduled")  # both agreed; invitations sent
        DONE = "done", _("Met")
        MISSED = "missed", _("Didn't meet")
        CANCELLED = "cancelled", _("Cancelled")

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="checkins")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    scheduled_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Check-ins of one recurring series share this id.
    series = models.UUIDField(null=True, blank=True)
    # The calendar identity: stable for the check-in's life; SEQUENCE rises on changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Private to the pair.
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    goal_progress = models.JSONField(default=dict, blank=True)  # {"<goal id>": percent}
    mentor_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    mentee_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Who logged it: each person logs once (the first log sets done or missed).
    mentor_logged_at = models.DateTimeField(null=True, blank=True)
    mentee_logged_at = models.DateTimeField(null=True, blank=True)
    logged_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "programs_checkin"
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["done", "missed"]) | Q(logged_at__isnull=False),
                name="checkin_logged_has_time",
            ),
            models.CheckConstraint(
                condition=Q(mentor_rating__isnull=True)
                | Q(mentor_rating__gte=1, mentor_rating__lte=5),
                name="checkin_mentor_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(mentee_rating__isnull=True)
                | Q(mentee_rating__gte=1, mentee_rating__lte=5),
                name="checkin_mentee_rating_1_5",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentorship", "status", "scheduled_at"], name="checkin_pair_status_at"
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk} of {self.mentorship_id} ({self.status})"

    @property
    def ends_at(self) -> dt.datetime:
        return self.scheduled_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_logged(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.MISSED)


class PairReminder(models.Model):
    """An email due to one person at one time: the reminder sweep's work list.

    Planned rows wait in ``due_at``; the sweep (every minute) claims a batch of due
    rows (``claimed_by``, ``claimed_until``: a second sweep takes the next rows) and
    sends each inside the transaction that marks it sent, alongside a unique
    mentoring.Delivery (kind, recipient, slot); see pairs.reminders. ``slot``
    names the occasion (a check-in at a time, a cycle of the cadence), so planning the
    same reminder twice adds nothing.
    """

    class Kind(models.TextChoices):
        WELCOME = "welcome", _("Welcome after matching")
        FIRST_MEETING = "first_meeting", _("First-meeting nudge")
        BEFORE = "before", _("Before a check-in")
        LOG = "log", _("Log your check-in")
        OVERDUE = "overdue", _("Overdue nudge")
        ESCALATION = "escalation", _("Escalation to coordinators")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed")  # the occasion passed, or the person opted out

    kind = models.CharField(max_length=16, choices=Kind.choices)
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="reminders")
    check_in = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pair_reminders"
    )
    slot = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    finished_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=40, blank=True)
    # The sweep that took this row into its batch (a random number) and until when the
    # claim holds; an expired claim, or one whose sweep is gone, is taken over.
    claimed_by = models.IntegerField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "programs_pairreminder"
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "slot"], name="pair_reminder_once_per_slot"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="pending"), name="pair_reminder_due"),
            models.Index(fields=["mentorship", "kind", "state"], name="pair_reminder_pair_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M} ({self.state})"
