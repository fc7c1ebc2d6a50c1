"""The survey sweep: invite whoever a schedule says is due, send each email once,
remind at most twice, and close surveys past their closing date.

Run periodically by beat (SURVEY_SWEEP_INTERVAL) and once right after a survey is
published. Every step is safe to run twice or in two workers at once:

- invitations are rows unique per (survey, participant, occasion), created with
  ``ignore_conflicts``, so a second sweep creates nothing new;
- each email is claimed in the transaction that sends it, one transaction per email:
  the invitation's row is locked with SKIP LOCKED, and a mentoring.Delivery record
  (kind, key) is written before sending, so a retried or parallel sweep never sends
  it twice, and a worker killed mid-sweep repeats at most the one in flight;
- batches are bounded; what is left waits for the next run, minutes later.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from mentoring.emails import absolute_url, email_send
from mentoring.models import Delivery
from mentoring.notifications import Kind, notification_send, zone
from mentoring.sweeps import claim_and_send
from pairs.models import CheckIn, Mentorship
from programs.models import Participant, Program
from surveys.models import Invitation, Survey
from surveys.services import invitation_token, new_nonce, survey_close

# Rows claimed per transaction and transactions per sweep: at most 1,000 emails of
# each kind a run (a few MB of rows).
BATCH = 50
BATCHES_PER_SWEEP = 20
# Who may be invited: people taking part now (paused people are left in peace).
INVITABLE_STATUSES = (Participant.Status.ACTIVE,)

DELIVERY_INVITATION = "survey-invitation"
DELIVERY_REMINDER = "survey-reminder"


def _today(program: Program, now: dt.datetime) -> dt.date:
    try:
        zone = zoneinfo.ZoneInfo(program.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone).date()


def checkin_counts(mentorship_ids: Iterable[int]) -> dict[int, int]:
    """Check-ins held ("done") per mentorship, for the "every Kth check-in" schedule."""
    ids = list(mentorship_ids)
    if not ids:
        return {}
    rows = (
        CheckIn.objects.filter(mentorship_id__in=ids, status=CheckIn.Status.DONE)
        .order_by()
        .values("mentorship_id")
        .annotate(n=Count("pk"))
        .values_list("mentorship_id", "n")
    )
    return dict(rows)


def _eligible(survey: Survey) -> QuerySet[Participant]:
    return Participant.objects.filter(
        program_id=survey.program_id, status__in=INVITABLE_STATUSES, role__in=survey.roles
    )


def _due_pairs(survey: Survey, now: dt.datetime) -> list[tuple[Mentorship, str]]:
    """(mentorship, occasion) pairs that are due now, for the pair-based schedules."""
    offset = dt.timedelta(days=survey.offset_days)
    pairs = Mentorship.objects.filter(program_id=survey.program_id)
    trigger = survey.trigger
    if trigger == Survey.Trigger.MATCH_STARTED:
        return [
            (m, f"m{m.pk}")
            for m in pairs.filter(state=Mentorship.State.ACTIVE, started_at__lte=now - offset)
        ]
    if trigger == Survey.Trigger.MENTORSHIP_CLOSED:
        return [
            (m, f"m{m.pk}:end")
            for m in pairs.exclude(state=Mentorship.State.ACTIVE).filter(ended_at__lte=now - offset)
        ]
    if trigger == Survey.Trigger.EVERY_KTH_CHECKIN:
        active = list(pairs.filter(state=Mentorship.State.ACTIVE))
        counts = checkin_counts(m.pk for m in active)
        every = max(survey.checkin_every, 1)
        due = []
        for m in active:
            done = counts.get(m.pk, 0)
            if done >= every:
                # Only the latest round: a late-published survey does not ask about old ones.
                due.append((m, f"m{m.pk}:c{done - done % every}"))
        return due
    return []


def invitations_create(*, survey: Survey, now: dt.datetime | None = None) -> int:
    """Create the invitations the survey's schedule says are due; returns how many."""
    now = now or timezone.now()
    program = survey.program
    if survey.state != Survey.State.OPEN or program.state == Program.State.CLOSED:
        return 0
    today = _today(program, now)
    trigger = survey.trigger
    rows: list[Invitation] = []
    program_wide: dict[str, bool] = {
        Survey.Trigger.ON_PUBLISH: True,
        Survey.Trigger.PROGRAM_START: program.starts_on is not None
        and program.starts_on + dt.timedelta(days=survey.offset_days) <= today,
        Survey.Trigger.PROGRAM_END: program.ends_on is not None
        and program.ends_on + dt.timedelta(days=survey.offset_days) <= today,
    }
    if trigger in program_wide:
        if not program_wide[trigger]:
            return 0
        for participant in _eligible(survey).only("pk", "role"):
            rows.append(
                Invitation(
                    survey=survey,
                    participant=participant,
                    role=participant.role,
                    occasion="",
                    nonce=new_nonce(),
                    created_at=now,
                )
            )
    else:
        pairs = _due_pairs(survey, now)
        people = {p.pk: p for p in _eligible(survey).only("pk", "role")}
        for mentorship, occasion in pairs:
            for participant_id in (mentorship.mentor_id, mentorship.mentee_id):
                person = people.get(participant_id)
                if person is None:
                    continue
                rows.append(
                    Invitation(
                        survey=survey,
                        participant=person,
                        mentorship=mentorship,
                        role=person.role,
                        occasion=occasion,
                        nonce=new_nonce(),
                        created_at=now,
                    )
                )
    before = Invitation.objects.filter(survey=survey).count()
    Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Invitation.objects.filter(survey=survey).count() - before


def answer_url(invitation: Invitation) -> str:
    return absolute_url(
        reverse("surveys:survey_answer", args=[invitation.survey_id, invitation_token(invitation)])
    )


def _email(invitation: Invitation, *, reminder: bool, now: dt.datetime | None = None) -> bool:
    """Email one invitation or reminder; whether it went (see notification_send).

    Someone with an account gets it through the notification pipeline: in their time
    zone, with one-click unsubscribe from survey emails, and never once their account
    is deactivated. Someone invited to the program who has not signed up yet gets it
    at the program's address for them, dated in the program's time zone.
    """
    survey = invitation.survey
    participant = invitation.participant
    user = participant.user
    template = "surveys/reminder" if reminder else "surveys/invitation"
    context: dict[str, Any] = {
        "survey": survey,
        "program": survey.program,
        "participant": participant,
        "person": user,
        "link": answer_url(invitation),
        "reminder": reminder,
        "closes_at": survey.closes_at,
        "question_count": survey.questions.count(),
    }
    if user is not None:
        # A reminder waits out the person's night (QuietHours: the sweep rolls its claim
        # back and sends after it); the invitation follows the coordinator's publishing.
        return notification_send(
            to=user,
            kind=Kind.SURVEYS,
            template=template,
            context=context,
            wait_out_quiet_hours=reminder,
            now=now,
        )
    with timezone.override(zone(survey.program.time_zone)):
        email_send(to=[participant.email], template=template, context=context)
    return True


def _open_surveys(now: dt.datetime) -> Q:
    return Q(
        survey__state=Survey.State.OPEN,
        survey__closes_at__gt=now,
    ) & ~Q(survey__program__state=Program.State.CLOSED)


def _sweep(
    due: QuerySet[Invitation],
    *,
    order_by: tuple[str, ...],
    send_one: Callable[[Invitation], bool],
    label: str,
) -> int:
    return claim_and_send(
        due,
        order_by=order_by,
        send_one=send_one,
        batch=BATCH,
        batches=BATCHES_PER_SWEEP,
        select_related=("survey__program", "participant__user"),
        label=label,
    ).sent


def invitations_send(*, now: dt.datetime | None = None, survey_id: int | None = None) -> int:
    """Email every invitation not yet sent, once each. Returns how many went now.

    Each email is claimed, sent and committed in its own short transaction
    (mentoring.sweeps.claim_and_send): a worker that dies mid-sweep leaves at most the
    one email in flight unrecorded; committing a batch at once would send the whole
    batch again. A failed send rolls back that one only, retried later.
    """
    now = now or timezone.now()
    due = Invitation.objects.filter(_open_surveys(now), sent_at__isnull=True)
    if survey_id is not None:
        due = due.filter(survey_id=survey_id)

    def invite(invitation: Invitation) -> bool:
        sent = False
        if Delivery.objects.claim(kind=DELIVERY_INVITATION, key=str(invitation.pk)):
            sent = _email(invitation, reminder=False)
        invitation.sent_at = now
        survey = invitation.survey
        invitation.next_reminder_at = (
            now + dt.timedelta(days=survey.reminder_days)
            if survey.reminder_count > 0 and not invitation.is_answered
            else None
        )
        invitation.save(update_fields=["sent_at", "next_reminder_at"])
        return sent

    return _sweep(due, order_by=("id",), send_one=invite, label="Survey invitation")


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind people who have not answered, at most ``reminder_count`` (<= 2) times.
    One transaction per reminder, as invitations_send."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        _open_surveys(now),
        answered_at__isnull=True,
        sent_at__isnull=False,
        next_reminder_at__lte=now,
    )

    def remind(invitation: Invitation) -> bool:
        sent = False
        survey = invitation.survey
        number = invitation.reminders_sent + 1
        if number <= min(survey.reminder_count, 2):
            key = f"{invitation.pk}:{number}"
            if Delivery.objects.claim(kind=DELIVERY_REMINDER, key=key):
                sent = _email(invitation, reminder=True, now=now)
            invitation.reminders_sent = number
        more = invitation.reminders_sent < min(survey.reminder_count, 2)
        invitation.next_reminder_at = (
            now + dt.timedelta(days=survey.reminder_days) if more else None
        )
        invitation.save(update_fields=["reminders_sent", "next_reminder_at"])
        return sent

    return _sweep(
        due, order_by=("next_reminder_at", "id"), send_one=remind, label="Survey reminder"
    )


def surveys_sweep(
    *, now: dt.datetime | None = None, survey_id: int | None = None
) -> dict[str, int]:
    """One pass: close what is past its date, invite who is due, send, remind."""
    now = now or timezone.now()
    closed = 0
    for survey in Survey.objects.filter(state=Survey.State.OPEN, closes_at__lte=now):
        survey_close(survey=survey, by=None, now=now)
        closed += 1
    surveys = Survey.objects.filter(state=Survey.State.OPEN, closes_at__gt=now).select_related(
        "program"
    )
    if survey_id is not None:
        surveys = surveys.filter(pk=survey_id)
    created = sum(invitations_create(survey=survey, now=now) for survey in surveys)
    sent = invitations_send(now=now, survey_id=survey_id)
    reminded = reminders_send(now=now) if survey_id is None else 0
    return {"closed": closed, "created": created, "sent": sent, "reminded": reminded}
