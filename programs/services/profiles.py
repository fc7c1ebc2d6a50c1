"""Profiles seeded on joining, and reminders to complete them."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.deferred import task_defer
from mentoring.emails import absolute_url, email_send
from mentoring.models import User
from programs import reminder_tasks
from programs.models import Participant, Profile, Program
from programs.services.base import ProgramError

# ------------------------------------------------------------------------------
# Profiles
# ------------------------------------------------------------------------------


def profile_seed(*, user: User, participant: Participant) -> Profile:
    """Create the person's profile if missing, prefilled from what the coordinator knew."""
    profile, _created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "job_title": participant.job_title,
            "department": participant.department,
            "location": participant.location,
            "manager_email": participant.manager_email,
        },
    )
    if not user.full_name and participant.full_name:
        user.full_name = participant.full_name
        user.save(update_fields=["full_name"])
    if participant.time_zone and user.time_zone == "UTC" and participant.time_zone != "UTC":
        user.time_zone = participant.time_zone
        user.save(update_fields=["time_zone"])
    return profile


# ------------------------------------------------------------------------------
# Profile reminders
# ------------------------------------------------------------------------------

# Someone with an incomplete profile hears from us at most once in this long.
PROFILE_REMINDER_INTERVAL = dt.timedelta(hours=24)


def _profile_reminder_due(
    participants: QuerySet[Participant], *, now: dt.datetime
) -> QuerySet[Participant]:
    return (
        participants.filter(status=Participant.Status.ACTIVE, profile_completed_at__isnull=True)
        .exclude(program__state=Program.State.CLOSED)
        .filter(
            Q(profile_reminded_at__isnull=True)
            | Q(profile_reminded_at__lte=now - PROFILE_REMINDER_INTERVAL)
        )
    )


def profile_reminders_queue(*, program: Program) -> int:
    """Queue a reminder to every active participant whose profile is incomplete and who
    was not reminded in the last 24 hours. Returns how many are due a reminder."""
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program sends no more reminders."))
    due = _profile_reminder_due(Participant.objects.filter(program=program), now=timezone.now())
    ids = list(due.values_list("pk", flat=True))
    if ids:
        _enqueue_profile_reminders(ids)
    return len(ids)


def _enqueue_profile_reminders(participant_ids: list[int]) -> None:
    # Bounded batches: one task per 200 reminders keeps each task short.
    for start in range(0, len(participant_ids), 200):
        task_defer(reminder_tasks.send_profile_reminders_task, participant_ids[start : start + 200])


def profile_reminder_send(*, participant_id: int) -> bool:
    """Email one profile reminder if it is still due. True when it was sent now.

    The row is claimed with a conditional UPDATE before the email goes out, so a
    second run of the task (or a second worker) finds nothing due and sends nothing.
    A failed send gives the claim back, so the retry can send it.
    """
    now = timezone.now()
    due = _profile_reminder_due(Participant.objects.filter(pk=participant_id), now=now)
    previous = due.values_list("profile_reminded_at", flat=True).first()
    if not due.update(profile_reminded_at=now):
        return False
    participant = Participant.objects.select_related("program", "user").get(pk=participant_id)
    try:
        email_send(
            to=[participant.user.email if participant.user else participant.email],
            template="programs/profile_reminder",
            context={
                "participant": participant,
                "program": participant.program,
                "person": participant.user,
                "link": absolute_url(
                    reverse("programs:participant_profile", args=[participant.program_id])
                ),
            },
        )
    except Exception:
        Participant.objects.filter(pk=participant_id, profile_reminded_at=now).update(
            profile_reminded_at=previous
        )
        raise
    return True
