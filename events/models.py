"""Program events and the answers people give to them (RSVPs)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.audience import EVERYONE_CHOICES, Audience
from programs.models import Program


class Event(models.Model):
    """A workshop, training session or networking event of one program."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Workshop")
        TRAINING = "training", _("Training session")
        NETWORKING = "networking", _("Networking event")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")  # kept so calendars and attendees hear of it

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.WORKSHOP)
    # UTC, entered in the program's time zone and shown in each viewer's own.
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    audience = models.CharField(
        _("for"), max_length=10, choices=EVERYONE_CHOICES, default=Audience.BOTH
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # The calendar identity of the event: stable for its life, whatever changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Raised on every change people's calendars must pick up (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Kept from when events were part of the programs app.
        db_table = "programs_event"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="event_capacity_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"], name="event_program_starts"),
            models.Index(fields=["status", "starts_at"], name="event_status_starts"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class EventRsvp(models.Model):
    """One person's answer to one event; at most one row per person per event."""

    class Status(models.TextChoices):
        GOING = "going", _("Going")
        # Said "going" when the event was full; promoted in order when a place frees.
        WAITING = "waiting", _("On the waiting list")
        MAYBE = "maybe", _("Maybe")
        NOT_GOING = "not_going", _("Not going")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    # When the person joined the waiting list: the queue's order.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # When the status last changed; notices about an older status are not sent.
    status_changed_at = models.DateTimeField()
    # Set by the reminder sweep; cleared when the event moves, so a new reminder is due.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Marked by a coordinator after the event; empty until then.
    attended = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "programs_eventrsvp"
        ordering = ["event", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="rsvp_one_per_person"),
            models.CheckConstraint(
                condition=Q(status="waiting", waitlisted_at__isnull=False)
                | (~Q(status="waiting") & Q(waitlisted_at__isnull=True)),
                name="rsvp_waiting_has_place",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="rsvp_event_status"),
            models.Index(
                fields=["status"],
                condition=Q(status="going", reminded_at__isnull=True),
                name="rsvp_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} {self.event_id}"
