from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connections, models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Erased accounts keep their row (so counts and pairs stay whole) under an address in
# this reserved domain (RFC 2606: ".invalid" never resolves), one per account.
ERASED_EMAIL_DOMAIN = "erased.invalid"


def erased_email(user_id: int) -> str:
    """The placeholder address of an erased account, also put wherever its old address
    was a join key (participants, HR's employee records), so aggregates still line up."""
    return f"erased-{user_id}@{ERASED_EMAIL_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return email.endswith("@" + ERASED_EMAIL_DOMAIN)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if not (extra["is_staff"] and extra["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Email addresses are compared without case: Ada@Example.com is ada@example.com.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address.

    Site-level roles live here; program-level roles (mentor, mentee, coordinator
    of a program) live on the program's participant rows.
    """

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_name = models.CharField(
        _("preferred name"),
        max_length=80,
        blank=True,
        help_text=_("What people should call you, if not your first name."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("IANA time zone name, e.g. Europe/Berlin; times are shown in it."),
    )
    is_staff = models.BooleanField(
        _("site admin"),
        default=False,
        help_text=_("May use the admin site and manage users and settings."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_hr_viewer = models.BooleanField(
        _("HR viewer"),
        default=False,
        help_text=_("Sees aggregate dashboards across all programs, never individual answers."),
    )
    is_coordinator = models.BooleanField(
        _("program coordinator"),
        default=False,
        help_text=_("May create programs and coordinates the programs they are added to."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The grace period to set up two-factor sign-in counts from here (or date_joined).
    role_granted_at = models.DateTimeField(
        _("site role granted at"),
        null=True,
        blank=True,
        help_text=_(
            "When the person last became a coordinator, HR viewer or site admin; "
            "their time to set up two-step sign-in counts from it."
        ),
    )

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_erased(self) -> bool:
        """The person deleted their account (privacy.erasure): only a pseudonym is left."""
        return is_erased_email(self.email)

    @property
    def display_name(self) -> str:
        if self.is_erased:
            return str(_("Deleted account"))
        return self.preferred_name or self.full_name or self.email

    @property
    def short_name(self) -> str:
        if self.is_erased:
            return self.display_name
        if self.preferred_name:
            return self.preferred_name
        if self.full_name:
            return self.full_name.split()[0]
        return self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.short_name


class Heartbeat(models.Model):
    """When a periodic worker job last ran; /healthz reads its age."""

    name = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class DeliveryManager(models.Manager["Delivery"]):
    # One statement on PostgreSQL and SQLite: no savepoint around it, and a key that
    # went out before never raises (so it cannot break the caller's transaction).
    # While another open transaction holds the same key, the database waits for it
    # to end: the key is then taken (False) if it committed, or free if it rolled back.
    CLAIM_SQL = (
        'INSERT INTO "mentoring_delivery" ("kind", "key", "sent_at") VALUES (%s, %s, %s) '
        'ON CONFLICT ("kind", "key") DO NOTHING RETURNING "id"'
    )

    def claim(self, *, kind: str, key: str) -> bool:
        """Record that this message is going out; False if it went out before.

        Call it inside the transaction that sends: if the send fails, the rollback
        removes the record and a retry may send.
        """
        connection = connections[self.db]
        sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(self.CLAIM_SQL, [kind, key, sent_at])
            return cursor.fetchone() is not None


class Delivery(models.Model):
    """A message that must go out at most once (a reminder, a notice), by kind and key.

    Workers may run a task twice (a re-delivered message after a crash, a second
    sweep); the unique (kind, key) row written in the sending transaction makes the
    second run send nothing.
    """

    kind = models.CharField(max_length=64)  # e.g. "event-reminder"
    key = models.CharField(max_length=200)  # e.g. "<event id>:<user id>:<start>"
    sent_at = models.DateTimeField()

    objects: ClassVar[DeliveryManager] = DeliveryManager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="delivery_once_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class EmployeeRecord(models.Model):
    """One employee's outcomes from HR's file: covers non-participants too, so that
    participants can be compared with colleagues who did not take part.

    Replaced as a whole by each import (the file is HR's current snapshot); matched to
    participants by email. Holds no names: the email is the join key, nothing more.
    """

    email = models.EmailField(max_length=254)
    department = models.CharField(max_length=120, blank=True)
    hired_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)  # empty: still employed

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="employee_record_one_per_email"),
        ]
        indexes = [models.Index(fields=["department"], name="employee_record_department")]

    def __str__(self) -> str:
        return self.email


class Promotion(models.Model):
    employee = models.ForeignKey(
        EmployeeRecord, on_delete=models.CASCADE, related_name="promotions"
    )
    promoted_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["promoted_on"], name="promotion_on")]

    def __str__(self) -> str:
        return f"{self.employee_id} @ {self.promoted_on}"


class OutcomeImport(models.Model):
    """Who replaced the HR outcome data, when, and what the file held (counts only)."""

    uploaded_by = models.ForeignKey(
        "mentoring.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=255)
    employees = models.PositiveIntegerField(default=0)
    leavers = models.PositiveIntegerField(default=0)
    promotions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} @ {self.uploaded_at:%Y-%m-%d}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of email; no row means the kind is on.

    Kinds are listed in :class:`mentoring.notifications.Kind`; a one-click
    unsubscribe link in every email turns its kind off.
    """

    user = models.ForeignKey(
        "mentoring.User", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={'on' if self.enabled else 'off'}"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit rows are written once and never changed or removed through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")

    def identity_erase(self, *, user_id: int, emails: list[str], placeholder: str) -> int:
        """The one change ever made to stored rows: when a person's account is erased,
        their address (as actor, or as typed at a failed sign-in) and the IP addresses
        of their rows give way to the account's placeholder. What happened, when, and
        to which (pseudonymous) account id stays; the erasure writes its own row."""
        typed = models.Q()
        for email in emails:
            typed |= models.Q(actor_email__iexact=email)
        rows = self.filter(models.Q(actor_id=user_id) | typed)
        return super(AuditEventQuerySet, rows).update(actor_email=placeholder, ip=None)


class AuditEvent(models.Model):
    """Who did what security-relevant thing, when, from where: append-only.

    ``detail`` holds identifiers and counts, never private content (no notes, no
    answers, no passwords). ``actor_email`` keeps the name readable after the person's
    account is deleted, which is why ``actor`` has no database constraint and is never
    cleared: clearing it would be an update.
    """

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")  # actor_email: what was typed
        SIGN_OUT = "sign_out", _("signed out")
        SIGN_OUT_IDLE = "sign_out_idle", _("signed out when idle")
        ROLE_CHANGE = "role_change", _("site role changed")  # detail: granted / revoked
        MFA_ENABLED = "mfa_enabled", _("two-step sign-in added")
        MFA_DISABLED = "mfa_disabled", _("two-step sign-in removed")
        EXPORT = "export", _("data exported")  # detail: what, and its filters
        MATCH_PUBLISH = "match_publish", _("matches published")
        ADMIN_ACTION = "admin_action", _("admin site change")  # detail: model, id, flag
        # detail: step (requested, confirmed, cancelled) and the request's id
        ERASURE_REQUEST = "erasure_request", _("account deletion requested")
        # detail: the request's id, who carried it out (self / staff) and counts only
        ERASURE = "erasure", _("account deleted")
        # The coordinators' writes, one action per area; detail: "change" (the service's
        # verb, e.g. "criterion_delete"), then ids, field names and counts only.
        PROGRAM_CHANGE = "program_change", _("program changed")
        PARTICIPANT_CHANGE = "participant_change", _("participant changed")
        MATCHING_CHANGE = "matching_change", _("matching changed")
        SURVEY_CHANGE = "survey_change", _("survey changed")
        RESOURCE_CHANGE = "resource_change", _("guide changed")
        EVENT_CHANGE = "event_change", _("event changed")
        INTEGRATION_CHANGE = "integration_change", _("integration changed")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        "mentoring.User",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=64, blank=True)  # e.g. "matching.matchrun"
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-at"], name="audit_event_action_at"),
            models.Index(fields=["actor", "-at"], name="audit_event_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.actor_email}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant rather than logic: a stored audit row may never change.
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only.")


class ErasureRequest(models.Model):
    """A person's request to delete their account and personal data (privacy.erasure).

    Asked for on the "Your data" page after signing in again, confirmed through a link
    emailed to the account's address, then carried out by a worker in one transaction
    (or by a site admin from the staff page). Holds ids, times and counts only: once
    carried out, the user it points at is a pseudonym.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for email confirmation")
        CONFIRMED = "confirmed", _("Confirmed, being carried out")  # the task is queued
        DONE = "done", _("Carried out")
        CANCELLED = "cancelled", _("Cancelled")  # by the person, before it was carried out

    OPEN_STATES: ClassVar[tuple[str, ...]] = (State.REQUESTED, State.CONFIRMED)

    user = models.ForeignKey(
        "mentoring.User", on_delete=models.CASCADE, related_name="erasure_requests"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField()
    # The random part of the emailed link; a new request (or a resend) makes a new one,
    # so only the latest link works, and it is cleared once used.
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        "mentoring.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the erasure did, as counts and program ids (for the coordinators' notice).
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("account deletion request")
        verbose_name_plural = _("account deletion requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state__in=["requested", "confirmed"]),
                name="erasure_request_one_open_per_user",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="done") | models.Q(executed_at__isnull=False),
                name="erasure_request_done_has_time",
            ),
        ]
        indexes = [models.Index(fields=["state", "-requested_at"], name="erasure_request_state")]

    def __str__(self) -> str:
        return f"Erasure {self.pk} of {self.user_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class DeferredTask(models.Model):
    """A task queued by a transaction, kept until it has run (mentoring.deferred).

    Written in the transaction that decides the work, so the work is in the database
    whatever the broker does with the message; deleted when the task has run. A row
    that stays is queued again by the ``resend-deferred-tasks`` sweep. Tasks run this
    way are safe to run twice (their Delivery claims send nothing twice).
    """

    name = models.CharField(max_length=200)  # the Celery task's registered name
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)  # when last handed to the broker
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["queued_at"], name="deferredtask_queued_at")]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"
