"""The check-in emails: proposals, invitations, updates and cancellations."""

from __future__ import annotations

from django.db import transaction

from mentoring.models import Delivery
from mentoring.notifications import Kind, notification_enabled, notification_send
from pairs.checkins.calendar import checkin_component, checkin_invite
from pairs.models import CheckIn
from pairs.selectors import pair_users, workspace_url
from programs import ics

Status = CheckIn.Status

# What a check-in email says (templates/emails/pairs/checkin_notice.*).
NOTICE_PROPOSED = "proposed"  # to the partner: a time is proposed, accept or propose another
NOTICE_SCHEDULED = "scheduled"  # to both: agreed, the invitation is attached
NOTICE_UPDATED = "updated"  # to both: the time or place changed (updated invitation)
NOTICE_CANCELLED = "cancelled"  # to both: cancelled (METHOD:CANCEL)
NOTICES = (NOTICE_PROPOSED, NOTICE_SCHEDULED, NOTICE_UPDATED, NOTICE_CANCELLED)
DELIVERY_NOTICE = "checkin-notice"


def checkin_notice_send(*, checkin_id: int, notice: str, sequence: int, user_ids: list[int]) -> int:
    """Email one notice about a check-in to these people, once per person and
    version; nothing if the check-in changed again since (that change has its own)."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice: {notice}")
    sent = 0
    for user_id in user_ids:
        with transaction.atomic():
            checkin = (
                CheckIn.objects.select_for_update(of=("self",))
                .select_related(
                    "mentorship__program", "mentorship__mentor__user", "mentorship__mentee__user"
                )
                .filter(pk=checkin_id)
                .first()
            )
            if checkin is None or checkin.sequence != sequence:
                return sent
            person = next((u for u in pair_users(checkin.mentorship) if u.pk == user_id), None)
            if person is None or not notification_enabled(user=person, kind=Kind.CHECKIN_UPDATES):
                continue
            key = f"{checkin_id}:{notice}:{sequence}:{user_id}"
            if not Delivery.objects.claim(kind=DELIVERY_NOTICE, key=key):
                continue
            ics_data, method = None, ics.REQUEST
            if notice in (NOTICE_SCHEDULED, NOTICE_UPDATED):
                ics_data = _series_invite(checkin) if notice == NOTICE_SCHEDULED else None
                ics_data = ics_data or checkin_invite(checkin)
                method = ics.PUBLISH if checkin.series and notice == NOTICE_SCHEDULED else method
            elif notice == NOTICE_CANCELLED and checkin.sequence > 1:
                # It was in calendars only if it had been scheduled (accepted).
                ics_data, method = checkin_invite(checkin, method=ics.CANCEL), ics.CANCEL
            mentorship = checkin.mentorship
            partner = (
                mentorship.mentee if mentorship.mentor.user_id == user_id else mentorship.mentor
            )
            notification_send(
                to=person,
                preference_checked=True,
                kind=Kind.CHECKIN_UPDATES,
                template="pairs/checkin_notice",
                context={
                    "notice": notice,
                    "checkin": checkin,
                    "program": mentorship.program,
                    "partner": partner.user or partner,
                    "link": workspace_url(mentorship),
                    "by_partner": checkin.proposed_by_id != user_id,
                },
                ics_data=ics_data,
                ics_method=method,
            )
            sent += 1
    return sent


def _series_invite(checkin: CheckIn) -> bytes | None:
    """All the check-ins of a series in one file (each keeps its own UID)."""
    if checkin.series is None:
        return None
    items = list(
        CheckIn.objects.filter(series=checkin.series, status=Status.SCHEDULED)
        .select_related("mentorship__mentor__user", "mentorship__mentee__user")
        .order_by("scheduled_at")
    )
    return ics.calendar_build([checkin_component(item) for item in items], method=ics.PUBLISH)
