"""Connections to other systems: API tokens, webhooks and chat channels."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Program


class ApiToken(models.Model):
    """A personal token for the REST API. It acts as its owner, limited to its scopes.

    Only a SHA-256 hash of the secret is stored; the secret is shown once, when made.
    """

    class Scope(models.TextChoices):
        PROGRAMS_READ = "programs:read", _("Read programs")
        PROGRAMS_WRITE = "programs:write", _("Create programs")
        PARTICIPANTS_READ = "participants:read", _("Read participants")
        PARTICIPANTS_WRITE = "participants:write", _("Enrol, update and withdraw participants")
        PROFILES_READ = "profiles:read", _("Read participants' profiles")
        MENTORSHIPS_READ = "mentorships:read", _("Read mentorships")
        CHECKINS_READ = "checkins:read", _("Read check-in dates and counts (never notes)")
        SURVEYS_READ = "surveys:read", _("Read survey results (small groups hidden)")
        OUTCOMES_WRITE = "outcomes:write", _("Import HR's outcome file (HR viewers)")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the secret, shown in lists so people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    # Written at most once a minute, so busy tokens do not write on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class WebhookEndpoint(models.Model):
    """An HTTPS address a coordinator registered to hear about a program's events."""

    class Event(models.TextChoices):
        PARTICIPANT_ENROLLED = "participant.enrolled", _("Participant enrolled")
        MATCH_PUBLISHED = "match.published", _("Match published")
        CHECKIN_LOGGED = "checkin.logged", _("Check-in logged")
        MENTORSHIP_ENDED = "mentorship.ended", _("Mentorship ended")
        SURVEY_CLOSED = "survey.closed", _("Survey closed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Signs every delivery (HMAC-SHA256); shown to the coordinator, rotated on request.
    secret = models.CharField(max_length=64)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["program", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with what happened each time."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # waiting for its next attempt at next_attempt_at
        SENDING = "sending", _("Sending")  # claimed by a worker right now
        SUCCEEDED = "succeeded", _("Delivered")  # the endpoint answered 2xx
        FAILED = "failed", _("Failed")  # gave up after the last attempt

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=40, choices=WebhookEndpoint.Event.choices)
    # The event's id: the same in a replay, so receivers can drop duplicates.
    event_id = models.UUIDField(default=uuid.uuid4)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The first characters of the last answer, for the delivery log.
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint_id} ({self.status})"


class ChatChannel(models.Model):
    """A Slack or Microsoft Teams incoming webhook a program posts reminders to."""

    class Kind(models.TextChoices):
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Microsoft Teams")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="chat_channels")
    kind = models.CharField(_("service"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("incoming webhook URL"), max_length=500)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        ordering = ["program", "id"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class ChatPreference(models.Model):
    """A person's choice to have their reminders posted to their programs' chat too."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_preference"
    )
    reminders_to_chat = models.BooleanField(
        _("also send my reminders to the program's chat"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat preference")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reminders_to_chat}"
