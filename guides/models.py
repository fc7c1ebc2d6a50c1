"""Guides (resources) coordinators publish for a program, their attachments, and who
opened them."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guides.storage import private_storage
from mentoring.audience import EVERYONE_CHOICES, Audience
from programs.models import Program


class Resource(models.Model):
    """A guide coordinators publish for the participants of one program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Written in Markdown."))
    audience = models.CharField(
        _("for"), max_length=10, choices=EVERYONE_CHOICES, default=Audience.BOTH
    )
    # [{"label": "...", "url": "https://..."}]; only http(s) addresses are accepted.
    links = models.JSONField(_("links"), default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Empty while a draft, which only coordinators see.
    published_at = models.DateTimeField(null=True, blank=True)
    # Which guide of the starter set this is, so adding the set twice adds nothing.
    starter_key = models.CharField(max_length=40, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # Kept from when guides were part of the programs app.
        db_table = "programs_resource"
        ordering = ["program", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "starter_key"],
                condition=~Q(starter_key=""),
                name="resource_one_starter_guide_each",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "position"], name="resource_program_position"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


def _attachment_path(instance: ResourceAttachment, filename: str) -> str:
    # A random name: nothing the uploader typed reaches the file system.
    extension = os.path.splitext(filename)[1].lower()
    return f"resources/{instance.resource.program_id}/{uuid.uuid4().hex}{extension}"


class ResourceAttachment(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=private_storage, max_length=255)
    # The name shown and offered on download (cleaned of path parts and odd characters).
    name = models.CharField(max_length=200)
    # The type read from the file's first bytes, not the one the browser claimed.
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "programs_resourceattachment"
        ordering = ["resource", "name", "id"]

    def __str__(self) -> str:
        return self.name


class ResourceView(models.Model):
    """A participant opened a resource (once per person, for the coordinator's count)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_views"
    )
    viewed_at = models.DateTimeField()

    class Meta:
        db_table = "programs_resourceview"
        constraints = [
            models.UniqueConstraint(fields=["resource", "user"], name="resource_view_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.resource_id}"
