"""What guides do when programs announce a write (programs.signals)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from guides.services import resource_starter_set_add
from mentoring.models import User
from programs.models import Program
from programs.signals import program_created


@receiver(program_created, dispatch_uid="guides.starter_set")
def starter_set_add(sender: Any, *, program: Program, by: User, **kwargs: Any) -> None:
    # Every new program starts with the starter guides (first meeting, goals, feedback,
    # agreement template); coordinators edit or unpublish them like their own.
    resource_starter_set_add(program=program, by=by)
