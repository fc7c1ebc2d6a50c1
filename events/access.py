"""Who may see an event, who may answer its invitation, and the answers they may give."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, EventRsvp
from mentoring.audience import AUDIENCES_BY_ROLE
from mentoring.models import User
from programs.access import Need, ProgramAccess, access_program_item
from programs.models import Participant, Program

Going = EventRsvp.Status.GOING
Waiting = EventRsvp.Status.WAITING
Maybe = EventRsvp.Status.MAYBE
NotGoing = EventRsvp.Status.NOT_GOING

# The answers people choose; "waiting" is where "going" lands when the event is full.
RESPONSES = (Going, Maybe, NotGoing)
# Participants who may answer: those taking part now, or paused for a while.
RSVP_PARTICIPANT_STATUSES = (Participant.Status.ACTIVE, Participant.Status.PAUSED)


def event_rsvp_refusal(
    *, event: Event, participant: Participant | None, now: dt.datetime | None = None
) -> str:
    """Why this person may not answer this event now, or "" when they may."""
    now = now or timezone.now()
    if participant is None:
        return _("Only the program's participants answer invitations to its events.")
    if participant.program_id != event.program_id:
        return _("You are not in this event's program.")
    if (
        participant.role not in AUDIENCES_BY_ROLE
        or event.audience not in AUDIENCES_BY_ROLE[participant.role]
    ):
        return _("This event is for another group of participants.")
    if participant.status not in RSVP_PARTICIPANT_STATUSES:
        return _("You can answer once a coordinator has confirmed your place in the program.")
    if event.program.state == Program.State.CLOSED:
        return _("This program has closed.")
    if event.is_cancelled:
        return _("This event is cancelled.")
    if event.starts_at <= now:
        return _("This event has started, so answers are closed.")
    return ""


def event_audience_filter(access: ProgramAccess) -> Q:
    """Which of the program's events this person may see.

    Coordinators, HR viewers and site admins: all of them (HR sees counts, never
    names). Participants: events for their role or for everyone.
    """
    if access.is_coordinator or access.is_reader:
        return Q()
    if access.participant is None:  # access_program lets no one else through
        return Q(pk__in=[])
    return Q(audience__in=AUDIENCES_BY_ROLE[access.participant.role])


@dataclass(frozen=True)
class EventAccess:
    access: ProgramAccess
    event: Event


def access_event(
    user: User, program_id: int, event_id: int, *, need: Need = Need.VIEW
) -> EventAccess:
    """An event and the caller's rights: 404 when they may not see it (outsiders, the
    other role's events), 403 when they may see but not change it."""
    access, event = access_program_item(
        user, program_id, Event, event_id, event_audience_filter, need
    )
    return EventAccess(access, event)
