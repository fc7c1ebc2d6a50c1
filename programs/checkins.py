"""Check-ins of a pair: proposing a time, accepting it or proposing another,
rescheduling, cancelling, and logging what happened.

- Either person proposes; the other accepts or proposes another time. Each enters
  and sees times in their own time zone; they are stored in UTC.
- A check-in keeps one calendar UID for its life; every change people's calendars
  must pick up raises its SEQUENCE; a cancellation sends METHOD:CANCEL.
- Logging is per person (each may rate the meeting); the latest log sets done or
  missed. Topics, notes, ratings and goal progress are private to the pair.
- Emails go out after commit through Celery with a mentoring.Delivery record per
  person and version, so a task run twice sends nothing twice.
- "We met" / "We didn't" links in reminder emails are signed and expire; clicking
  one twice records once (see :func:`checkin_log_from_link`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Event as VEvent

from mentoring.deferred import task_defer
from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import Kind, notification_enabled, notification_send, zone
from pairs.models import CheckIn, Mentorship, PairGoal
from programs import ics
from programs.events import DateTimeLocalInput, WallClockDateTimeField, local_to_utc
from programs.models import Participant, Program
from programs.services import ProgramError
from programs.signals import checkin_logged

Status = CheckIn.Status

# A recurring series is this many check-ins (the first and the next ones), one per
# program cadence; the pair proposes more when they run out.
SERIES_LENGTH = 6
# The calendar feed shows check-ins up to this long ago.
FEED_PAST = dt.timedelta(days=90)
LINK_SALT = "programs.checkins.log-link"
OUTCOMES = (Status.DONE, Status.MISSED)

# What a check-in email says (templates/emails/programs/checkin_notice.*).
NOTICE_PROPOSED = "proposed"  # to the partner: a time is proposed, accept or propose another
NOTICE_SCHEDULED = "scheduled"  # to both: agreed, the invitation is attached
NOTICE_UPDATED = "updated"  # to both: the time or place changed (updated invitation)
NOTICE_CANCELLED = "cancelled"  # to both: cancelled (METHOD:CANCEL)
NOTICES = (NOTICE_PROPOSED, NOTICE_SCHEDULED, NOTICE_UPDATED, NOTICE_CANCELLED)
DELIVERY_NOTICE = "checkin-notice"


# ------------------------------------------------------------------------------
# Who is who
# ------------------------------------------------------------------------------


def side_of(mentorship: Mentorship, user: User) -> str:
    """ "mentor", "mentee" or "" for anyone else."""
    if mentorship.mentor.user_id == user.pk:
        return Participant.Role.MENTOR
    if mentorship.mentee.user_id == user.pk:
        return Participant.Role.MENTEE
    return ""


def pair_users(mentorship: Mentorship) -> list[User]:
    return [p.user for p in (mentorship.mentor, mentorship.mentee) if p.user is not None]


def workspace_url(mentorship: Mentorship) -> str:
    return absolute_url(reverse("programs:workspace", args=[mentorship.pk]))


# ------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------


class CheckInTimeForm(forms.Form):
    """A time in the person's own time zone, a length and where to meet."""

    scheduled_at = WallClockDateTimeField(
        label=gettext_lazy("Date and time"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Length (minutes)"), min_value=5, max_value=480, initial=45
    )
    location = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A room, a café or an address. Leave empty for a call."),
    )
    video_url = forms.URLField(
        label=gettext_lazy("Video-call link"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": user.time_zone
        }

    def clean_scheduled_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("scheduled_at")
        if value is None:
            return None
        moment = local_to_utc(value.replace(tzinfo=None), self.user.time_zone)
        if moment <= timezone.now():
            raise ValidationError(_("Choose a time in the future."), code="past")
        return moment

    def time_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("scheduled_at", "duration_minutes", "location", "video_url")
        }


class CheckInProposeForm(CheckInTimeForm):
    repeat = forms.BooleanField(
        label=gettext_lazy("Repeat at the program's rhythm"),
        required=False,
        help_text=gettext_lazy("Schedules the next check-ins too, once your partner accepts."),
    )


class CheckInLogForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Did you meet?"),
        choices=[
            (Status.DONE.value, gettext_lazy("We met")),
            (Status.MISSED.value, gettext_lazy("We didn't meet")),
        ],
        widget=forms.RadioSelect,
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("How long (minutes)"), min_value=5, max_value=480, required=False
    )
    topics = forms.CharField(
        label=gettext_lazy("Topics"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("A few words, separated by commas."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Only the two of you can read these; coordinators never see them."),
    )
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How useful was it? (optional)"),
        choices=[("", gettext_lazy("No rating"))] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, goals: list[PairGoal] = [], **kwargs: Any) -> None:  # noqa: B006
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.IntegerField(
                label=_("Progress on “%(goal)s” (%%)") % {"goal": goal.title},
                min_value=0,
                max_value=100,
                required=False,
                initial=goal.progress,
            )

    def goal_progress(self) -> dict[int, int]:
        return {
            goal.pk: self.cleaned_data[f"goal_{goal.pk}"]
            for goal in self.goals
            if self.cleaned_data.get(f"goal_{goal.pk}") is not None
        }


class PastCheckInForm(CheckInLogForm):
    """Log a meeting that was never scheduled here."""

    held_at = WallClockDateTimeField(
        label=gettext_lazy("When you met"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["held_at"].help_text = _("In your time zone, %(zone)s.") % {
            "zone": user.time_zone
        }
        self.order_fields(["held_at", "outcome"])

    def clean_held_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("held_at")
        if value is None:
            return None
        moment = local_to_utc(value.replace(tzinfo=None), self.user.time_zone)
        if moment > timezone.now():
            raise ValidationError(_("Choose a time that has passed."), code="future")
        return moment


# ------------------------------------------------------------------------------
# Writes
# ------------------------------------------------------------------------------


def _check_active(mentorship: Mentorship) -> None:
    if mentorship.state != Mentorship.State.ACTIVE:
        raise ProgramError(_("This mentorship has ended."))


def _lock(checkin: CheckIn) -> CheckIn:
    return (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related(
            "mentorship__program",
            "mentorship__mentor__user",
            "mentorship__mentee__user",
        )
        .get(pk=checkin.pk)
    )


def _after_change(checkin: CheckIn, notice: str, recipients: list[User]) -> None:
    from programs import pair_reminders

    pair_reminders.checkin_reminders_plan(checkin=checkin)
    ids = [user.pk for user in recipients]
    checkin_id, sequence = checkin.pk, checkin.sequence
    _enqueue_notice(checkin_id, notice, sequence, ids)


def _enqueue_notice(checkin_id: int, notice: str, sequence: int, user_ids: list[int]) -> None:
    """Queued when the transaction commits, and recorded in it (mentoring.deferred)."""
    from programs.workspace_tasks import send_checkin_notice_task

    task_defer(send_checkin_notice_task, checkin_id, notice, sequence, user_ids)


@transaction.atomic
def checkin_propose(
    *,
    mentorship: Mentorship,
    by: User,
    scheduled_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
    video_url: str = "",
    repeat: bool = False,
    now: dt.datetime | None = None,
) -> CheckIn:
    """One person proposes a time; the other is told and accepts or proposes another."""
    now = now or timezone.now()
    _check_active(mentorship)
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can propose check-ins."))
    if scheduled_at <= now:
        raise ProgramError(_("Choose a time in the future."))
    checkin = CheckIn.objects.create(
        mentorship=mentorship,
        status=Status.PROPOSED,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        location=location,
        video_url=video_url,
        proposed_by=by,
        series=uuid.uuid4() if repeat else None,
    )
    partner = [user for user in pair_users(mentorship) if user.pk != by.pk]
    _after_change(checkin, NOTICE_PROPOSED, partner)
    return checkin


def _next_times(first: dt.datetime, *, cadence_days: int, zone_name: str) -> list[dt.datetime]:
    """The later check-ins of a series: same local clock time, every cadence."""
    tz = zone(zone_name)
    local = first.astimezone(tz).replace(tzinfo=None)
    times = []
    for n in range(1, SERIES_LENGTH):
        wall = local + dt.timedelta(days=cadence_days * n)
        times.append(wall.replace(tzinfo=tz).astimezone(dt.UTC))
    return times


@transaction.atomic
def checkin_accept(*, checkin: CheckIn, by: User, now: dt.datetime | None = None) -> CheckIn:
    """The partner accepts a proposed time: the check-in (and its series) is scheduled."""
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    _check_active(mentorship)
    if checkin.status != Status.PROPOSED:
        raise ProgramError(_("This check-in is not waiting for an answer."))
    if not side_of(mentorship, by) or checkin.proposed_by_id == by.pk:
        raise ProgramError(_("Your partner accepts the time you proposed."))
    if checkin.scheduled_at <= now:
        raise ProgramError(_("That time has passed; propose another."))
    checkin.status = Status.SCHEDULED
    checkin.sequence += 1
    checkin.save(update_fields=["status", "sequence", "updated_at"])
    if checkin.series is not None:
        proposer = checkin.proposed_by
        zone_name = proposer.time_zone if proposer is not None else mentorship.program.time_zone
        later = [
            CheckIn(
                mentorship=mentorship,
                status=Status.SCHEDULED,
                scheduled_at=moment,
                duration_minutes=checkin.duration_minutes,
                location=checkin.location,
                video_url=checkin.video_url,
                proposed_by_id=checkin.proposed_by_id,
                series=checkin.series,
                sequence=1,
            )
            for moment in _next_times(
                checkin.scheduled_at,
                cadence_days=mentorship.program.checkin_cadence_days,
                zone_name=zone_name,
            )
        ]
        from programs import pair_reminders

        for item in CheckIn.objects.bulk_create(later):
            pair_reminders.checkin_reminders_plan(checkin=item)
    _after_change(checkin, NOTICE_SCHEDULED, pair_users(mentorship))
    return checkin


@transaction.atomic
def checkin_reschedule(
    *,
    checkin: CheckIn,
    by: User,
    scheduled_at: dt.datetime,
    duration_minutes: int,
    location: str = "",
    video_url: str = "",
    now: dt.datetime | None = None,
) -> CheckIn:
    """Propose another time for a proposed check-in (it waits for the other person
    again) or move a scheduled one (calendars update: SEQUENCE rises)."""
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    _check_active(mentorship)
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can change check-ins."))
    if checkin.status not in (Status.PROPOSED, Status.SCHEDULED):
        raise ProgramError(_("This check-in can no longer be moved."))
    if scheduled_at <= now:
        raise ProgramError(_("Choose a time in the future."))
    was_scheduled = checkin.status == Status.SCHEDULED
    checkin.scheduled_at = scheduled_at
    checkin.duration_minutes = duration_minutes
    checkin.location = location
    checkin.video_url = video_url
    checkin.sequence += 1
    if not was_scheduled:
        checkin.proposed_by = by
    checkin.save(
        update_fields=[
            "scheduled_at",
            "duration_minutes",
            "location",
            "video_url",
            "sequence",
            "proposed_by",
            "updated_at",
        ]
    )
    if was_scheduled:
        _after_change(checkin, NOTICE_UPDATED, pair_users(mentorship))
    else:
        partner = [user for user in pair_users(mentorship) if user.pk != by.pk]
        _after_change(checkin, NOTICE_PROPOSED, partner)
    return checkin


@transaction.atomic
def checkin_cancel(*, checkin: CheckIn, by: User, now: dt.datetime | None = None) -> CheckIn:
    now = now or timezone.now()
    checkin = _lock(checkin)
    mentorship = checkin.mentorship
    if not side_of(mentorship, by):
        raise ProgramError(_("Only the pair can cancel check-ins."))
    if checkin.status not in (Status.PROPOSED, Status.SCHEDULED):
        raise ProgramError(_("This check-in can no longer be cancelled."))
    checkin.status = Status.CANCELLED
    checkin.cancelled_at = now
    checkin.sequence += 1
    checkin.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    _after_change(checkin, NOTICE_CANCELLED, pair_users(mentorship))
    return checkin


def _apply_log(
    checkin: CheckIn,
    *,
    side: str,
    outcome: str,
    duration_minutes: int | None,
    topics: str | None,
    notes: str | None,
    rating: int | None,
    goal_progress: dict[int, int],
    now: dt.datetime,
) -> None:
    if outcome not in OUTCOMES:
        raise ProgramError(_("Say whether you met."))
    if rating is not None and not 1 <= rating <= 5:
        raise ProgramError(_("A rating is from 1 to 5."))
    checkin.status = outcome
    checkin.logged_at = checkin.logged_at or now
    if duration_minutes:
        checkin.duration_minutes = duration_minutes
    if topics is not None and topics.strip():
        checkin.topics = topics.strip()
    if notes is not None and notes.strip():
        checkin.notes = notes.strip()
    if side == Participant.Role.MENTOR:
        checkin.mentor_logged_at = now
        if rating is not None:
            checkin.mentor_rating = rating
    else:
        checkin.mentee_logged_at = now
        if rating is not None:
            checkin.mentee_rating = rating
    if goal_progress:
        goals = {
            goal.pk: goal
            for goal in PairGoal.objects.select_for_update().filter(
                mentorship_id=checkin.mentorship_id, pk__in=list(goal_progress)
            )
        }
        for goal_id, percent in goal_progress.items():
            goal = goals.get(goal_id)
            if goal is None or not 0 <= percent <= 100:
                continue
            goal.progress = percent
            goal.save(update_fields=["progress", "updated_at"])
            checkin.goal_progress = {**checkin.goal_progress, str(goal_id): percent}
    checkin.save()


@transaction.atomic
def checkin_log(
    *,
    checkin: CheckIn,
    by: User,
    outcome: str,
    duration_minutes: int | None = None,
    topics: str | None = None,
    notes: str | None = None,
    rating: int | None = None,
    goal_progress: dict[int, int] | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """One person logs a check-in that has started: met or not, and how it went."""
    from programs import pair_reminders

    now = now or timezone.now()
    checkin = _lock(checkin)
    side = side_of(checkin.mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can log check-ins."))
    if checkin.status in (Status.PROPOSED, Status.CANCELLED):
        raise ProgramError(_("Only a check-in that was scheduled can be logged."))
    if checkin.scheduled_at > now:
        raise ProgramError(_("You can log a check-in once it has started."))
    _apply_log(
        checkin,
        side=side,
        outcome=outcome,
        duration_minutes=duration_minutes,
        topics=topics,
        notes=notes,
        rating=rating,
        goal_progress=goal_progress or {},
        now=now,
    )
    pair_reminders.checkin_reminders_plan(checkin=checkin, now=now)
    pair_reminders.mentorship_reminders_plan(mentorship=checkin.mentorship, now=now)
    checkin_logged.send(sender=Program, program=checkin.mentorship.program, checkin=checkin)
    return checkin


@transaction.atomic
def checkin_log_past(
    *,
    mentorship: Mentorship,
    by: User,
    held_at: dt.datetime,
    outcome: str,
    duration_minutes: int | None = None,
    topics: str | None = None,
    notes: str | None = None,
    rating: int | None = None,
    goal_progress: dict[int, int] | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Log a meeting that already happened and was never scheduled here."""
    from programs import pair_reminders

    now = now or timezone.now()
    _check_active(mentorship)
    side = side_of(mentorship, by)
    if not side:
        raise ProgramError(_("Only the pair can log check-ins."))
    if held_at > now:
        raise ProgramError(_("Choose a time that has passed."))
    checkin = CheckIn.objects.create(
        mentorship=mentorship,
        status=Status.SCHEDULED,
        scheduled_at=held_at,
        duration_minutes=duration_minutes or 45,
        proposed_by=by,
    )
    _apply_log(
        checkin,
        side=side,
        outcome=outcome,
        duration_minutes=duration_minutes,
        topics=topics,
        notes=notes,
        rating=rating,
        goal_progress=goal_progress or {},
        now=now,
    )
    pair_reminders.mentorship_reminders_plan(mentorship=mentorship, now=now)
    checkin_logged.send(sender=Program, program=mentorship.program, checkin=checkin)
    return checkin


# ------------------------------------------------------------------------------
# One-click links in emails
# ------------------------------------------------------------------------------


def log_link_token(*, checkin: CheckIn, user: User, outcome: str) -> str:
    return signing.dumps(
        {"c": checkin.pk, "u": user.pk, "o": outcome, "s": str(checkin.scheduled_at.timestamp())},
        salt=LINK_SALT,
        compress=True,
    )


def log_link_url(*, checkin: CheckIn, user: User, outcome: str) -> str:
    token = log_link_token(checkin=checkin, user=user, outcome=outcome)
    return absolute_url(reverse("programs:checkin_log_link", args=[token]))


@dataclass(frozen=True)
class LinkResult:
    ok: bool
    # "ready" (opened: the button would record it), "recorded" (now), "already" (this
    # person logged it before), "expired", "invalid", "moved" (the check-in changed
    # since), "refused" (e.g. cancelled).
    outcome: str
    checkin: CheckIn | None = None
    # The check-in's status after the press; for "ready", the answer the link carries.
    recorded: str = ""
    person: User | None = None  # whose link it is (for their time zone on the page)


def _link_check(token: str) -> tuple[LinkResult, User | None, str]:
    """What a link may do now, without writing: "ready" when pressing it would log."""
    max_age = dt.timedelta(days=settings.CHECKIN_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return LinkResult(False, "expired"), None, ""
    except signing.BadSignature:
        return LinkResult(False, "invalid"), None, ""
    if not isinstance(data, dict):
        return LinkResult(False, "invalid"), None, ""
    checkin_id, user_id, outcome = data.get("c"), data.get("u"), data.get("o")
    if not isinstance(checkin_id, int) or not isinstance(user_id, int):
        return LinkResult(False, "invalid"), None, ""
    checkin = (
        CheckIn.objects.select_related("mentorship__mentor__user", "mentorship__mentee__user")
        .filter(pk=checkin_id)
        .first()
    )
    user = User.objects.filter(pk=user_id).first()
    if checkin is None or user is None or outcome not in OUTCOMES:
        return LinkResult(False, "invalid"), None, ""
    side = side_of(checkin.mentorship, user)
    if not side:
        return LinkResult(False, "invalid"), None, ""
    if str(checkin.scheduled_at.timestamp()) != data.get("s"):
        return LinkResult(False, "moved", checkin), None, ""
    logged_at = checkin.mentor_logged_at if side == "mentor" else checkin.mentee_logged_at
    if logged_at is not None:
        return LinkResult(True, "already", checkin, checkin.status), None, ""
    return LinkResult(True, "ready", checkin, outcome, person=user), user, outcome


def checkin_link_read(token: str) -> LinkResult:
    """What an emailed "we met" / "we didn't" link would record, recording nothing.

    Opening a link (a GET, which mail security scanners do to every link) only shows
    the one button that records it; ``recorded`` then holds the answer the link carries.
    """
    return _link_check(token)[0]


def checkin_log_from_link(token: str, *, now: dt.datetime | None = None) -> LinkResult:
    """Record "we met" / "we didn't" from an email link's button (a POST).

    The link carries the person, the check-in and the answer, signed, and expires
    after CHECKIN_LINK_MAX_AGE_DAYS. A second press changes nothing: once the person
    logged the check-in, the link only shows what was recorded.
    """
    result, user, outcome = _link_check(token)
    if result.outcome != "ready" or user is None or result.checkin is None:
        return result
    try:
        checkin = checkin_log(checkin=result.checkin, by=user, outcome=outcome, now=now)
    except ProgramError:
        return LinkResult(False, "refused", result.checkin)
    return LinkResult(True, "recorded", checkin, checkin.status)


# ------------------------------------------------------------------------------
# Calendar
# ------------------------------------------------------------------------------


def checkin_uid(checkin: CheckIn) -> str:
    return f"checkin-{checkin.uid}@{ics.host()}"


def checkin_component(
    checkin: CheckIn, *, cancelled: bool | None = None, stamp: dt.datetime | None = None
) -> VEvent:
    """One VEVENT: the same UID every time, the current SEQUENCE. No notes or topics."""
    mentorship = checkin.mentorship
    cancelled = checkin.status == Status.CANCELLED if cancelled is None else cancelled
    names = " & ".join(
        p.user.short_name if p.user else p.display_name
        for p in (mentorship.mentor, mentorship.mentee)
    )
    url = workspace_url(mentorship)
    component = VEvent()
    component.add("uid", checkin_uid(checkin))
    component.add("dtstamp", (stamp or timezone.now()).astimezone(dt.UTC))
    component.add("dtstart", checkin.scheduled_at.astimezone(dt.UTC))
    component.add("dtend", checkin.ends_at.astimezone(dt.UTC))
    component.add("sequence", checkin.sequence)
    component.add("summary", _("Mentoring check-in: %(names)s") % {"names": names})
    description = "\n\n".join(part for part in (checkin.video_url, url) if part)
    component.add("description", description)
    location = checkin.location or checkin.video_url
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("organizer", ics.organizer())
    for person in pair_users(mentorship):
        component.add("attendee", ics.attendee(person, declined=cancelled))
    return component


def checkin_invite(checkin: CheckIn, *, method: str = ics.REQUEST) -> bytes:
    cancelled = method == ics.CANCEL or checkin.status == Status.CANCELLED
    return ics.calendar_build(
        [checkin_component(checkin, cancelled=cancelled)],
        method=ics.CANCEL if cancelled else method,
    )


def checkin_feed_components(user: User) -> list[VEvent]:
    """The calendar feed's check-ins: scheduled, held or cancelled ones of the
    person's pairs (cancelled ones stay so calendars drop them), 90 days back."""
    since = timezone.now() - FEED_PAST
    checkins = (
        CheckIn.objects.filter(
            status__in=(Status.SCHEDULED, Status.DONE, Status.MISSED, Status.CANCELLED),
            scheduled_at__gte=since,
        )
        .filter(Q(mentorship__mentor__user_id=user.pk) | Q(mentorship__mentee__user_id=user.pk))
        .select_related(
            "mentorship__mentor__user", "mentorship__mentee__user", "mentorship__program"
        )
        .order_by("scheduled_at", "id")
    )
    stamp = timezone.now()
    return [checkin_component(checkin, stamp=stamp) for checkin in checkins]


# ------------------------------------------------------------------------------
# Emails
# ------------------------------------------------------------------------------


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
                template="programs/checkin_notice",
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
