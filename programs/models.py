"""Programs, their goals, the people enrolled in them and their profiles."""

from __future__ import annotations

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
