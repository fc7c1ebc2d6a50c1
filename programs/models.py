"""Programs, their goals, the people enrolled in them and their profiles."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mentoring.models import is_erased_email
from mentoring.questions.models import OrderedQuestion


class Program(models.Model):
    class Format(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        # Reserved for group mentoring (one mentor, several mentees at once).
        GROUP = "group", _("Group")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being set up; only coordinators see it
        ENROLLING = "enrolling", _("Enrolling")  # invitations out, profiles filling in
        MATCHING = "matching", _("Matching")  # pairs being proposed and reviewed
        RUNNING = "running", _("Running")  # pairs meet; reminders and surveys go out
        CLOSED = "closed", _("Closed")  # finished; read-only, reports remain

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    format = models.CharField(
        _("format"), max_length=20, choices=Format.choices, default=Format.ONE_TO_ONE
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_evergreen = models.BooleanField(
        _("evergreen"), default=False, help_text=_("Runs continuously, without an end date.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, editable=False
    )
    state_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    checkin_cadence_days = models.PositiveSmallIntegerField(
        _("expected check-in cadence (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How often each pair is expected to meet, e.g. 14 for every two weeks."),
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        _("default mentor capacity"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("How many mentees a mentor takes unless they set their own number."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size for reports"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_("Report cells describing fewer people than this are hidden."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_programs", blank=True
    )
    # Shareable invite link (anyone with it may ask to join).
    join_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    join_requires_approval = models.BooleanField(_("approve people who join by link"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_evergreen=True) | Q(starts_on__isnull=False, ends_on__isnull=False),
                name="program_dates_or_evergreen",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="program_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(min_group_size__gte=2), name="program_min_group_2"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramStateChange(models.Model):
    """Audit row: who moved a program from one state to another, and when."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=20, choices=Program.State.choices)
    to_state = models.CharField(max_length=20, choices=Program.State.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.from_state} -> {self.to_state}"


class ProgramGoal(models.Model):
    class Metric(models.TextChoices):
        CADENCE_SHARE = "cadence_share", _("Share of pairs meeting at the expected cadence")
        AVG_SATISFACTION = "avg_satisfaction", _("Average satisfaction (1-5)")
        COMPLETION_RATE = "completion_rate", _("Completion rate")
        RETENTION_RATE = "retention_rate", _("Participant retention")
        PROMOTION_RATE = "promotion_rate", _("Mentee promotion rate")

    # Metrics measured as a share of people or pairs are percentages; satisfaction is a score.
    PERCENT_METRICS: ClassVar[frozenset[str]] = frozenset(
        {"cadence_share", "completion_rate", "retention_rate", "promotion_rate"}
    )

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices)
    target_value = models.DecimalField(
        _("target"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    target_on = models.DateField(_("by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "metric"], name="goal_one_per_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.target_value} by {self.target_on}"

    @property
    def is_percent(self) -> bool:
        return self.metric in self.PERCENT_METRICS


class Participant(models.Model):
    """A person's enrolment in one program, with one role there."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Awaiting approval")  # joined by link; a coordinator must approve
        INVITED = "invited", _("Invited")  # invitation sent, not yet accepted
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")  # temporarily not taking part (e.g. a mentor on leave)
        WITHDRAWN = "withdrawn", _("Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    # What the coordinator knew when inviting; the person's own profile wins once it exists.
    email = models.EmailField(_("email"), max_length=254)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    manager_email = models.EmailField(_("manager's email"), max_length=254, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("Mentors only: how many mentees; empty means the program default."),
    )
    # The invitation link is signed and carries this nonce; accepting clears it, so a
    # link works once. Resending makes a new nonce, which retires the old link.
    invite_nonce = models.CharField(max_length=32, blank=True, editable=False)
    invite_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the worker that claims the sending, so an invitation goes out once.
    invited_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(null=True, blank=True)
    profile_completed_at = models.DateTimeField(null=True, blank=True)
    profile_reminded_at = models.DateTimeField(null=True, blank=True)
    # Set when this person's mentorship ended early and they asked for a new partner:
    # the next match run serves them first (oldest first); cleared when matched.
    rematch_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "full_name", "email"]
        constraints = [
            models.UniqueConstraint(
                "program", Lower("email"), name="participant_one_enrolment_per_email"
            ),
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=Q(user__isnull=False),
                name="participant_one_enrolment_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "role", "status"], name="participant_prog_role_status"),
            # The invitation sweep's work list (programs.services.invitations_send).
            models.Index(
                fields=["id"],
                condition=Q(status="invited", invited_at__isnull=True),
                name="participant_invitation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()}, {self.program_id})"

    @property
    def display_name(self) -> str:
        if is_erased_email(self.email):
            return str(_("Deleted participant"))
        return self.full_name or self.email


class Profile(models.Model):
    """Person-level facts, filled in once and reused by every program."""

    class Seniority(models.IntegerChoices):
        ENTRY = 1, _("Entry level")
        JUNIOR = 2, _("Junior")
        MID = 3, _("Mid-level")
        SENIOR = 4, _("Senior")
        LEAD = 5, _("Lead / manager")
        PRINCIPAL = 6, _("Principal / senior manager")
        EXECUTIVE = 7, _("Executive")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    manager_email = models.EmailField(_("manager's email"), max_length=254, blank=True)
    seniority = models.PositiveSmallIntegerField(
        _("seniority"), choices=Seniority.choices, null=True, blank=True
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    career_aspirations = models.TextField(_("career aspirations"), max_length=1000, blank=True)
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    # Self-described, optional, and only with explicit consent; used in aggregates only.
    gender = models.CharField(_("gender (self-described)"), max_length=80, blank=True)
    ethnicity = models.CharField(_("ethnicity (self-described)"), max_length=120, blank=True)
    demographics_consent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(demographics_consent_at__isnull=False)
                | (Q(gender="") & Q(ethnicity="")),
                name="profile_demographics_need_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user_id}"


class ProfileQuestion(OrderedQuestion):
    """A program-specific question on the profile, optionally used by matching."""

    class Kind(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        SCALE = "scale", _("Scale 1-5")
        TEXT = "text", _("Free text")

    owner_field = "program"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    is_matching_input = models.BooleanField(_("used for matching"), default=False)

    class Meta:
        ordering = ["program", "position", "id"]


class ProfileAnswer(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ProfileQuestion, on_delete=models.CASCADE, related_name="answers")
    # A string (single choice, text), a list of strings (multi choice) or an int (scale).
    value = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}/{self.question_id}"


class ParticipantImport(models.Model):
    """A CSV of people to invite: checked as a whole, applied only when clean."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        INVALID = "invalid", _("Has problems")  # nothing applied; errors list what to fix
        READY = "ready", _("Ready to apply")
        APPLYING = "applying", _("Applying")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")  # an unexpected error; nothing applied

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    content = models.TextField(help_text="The decoded file (UTF-8), kept until applied.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "email", "message": "..."}]; row 0 is the file itself.
    problems = models.JSONField(default=list, blank=True)
    notices = models.JSONField(default=list, blank=True)
    # Counts and a few sample rows from the check: {"rows": 120, "mentors": 40, "mentees": 80,
    # "with_account": 12, "sample": [{"email": ..., ...}]}, so the preview needs no re-parse.
    summary = models.JSONField(default=dict, blank=True)
    applied_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


# ------------------------------------------------------------------------------
# Who guides and events are for (guides/ and events/ hold them), calendar feeds
# ------------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """A person's private calendar address; resetting the token retires the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class Mentorship(models.Model):
    """A published pair: one mentor and one mentee of a program.

    Created by publishing a match run or by a mentor accepting a self-match request;
    its state changes only through :func:`programs.mentorships.mentorship_end` (and
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
    mentoring.Delivery (kind, recipient, slot); see programs.pair_reminders. ``slot``
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
