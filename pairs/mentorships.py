"""Mentorships: creating a pair and ending it (who may open one: programs.access).

The only writers of :class:`Mentorship` state. Matching (publishing a run, a mentor
accepting a request) calls :func:`mentorship_create`; either person or a
coordinator calls :func:`mentorship_end`. Every state change writes a
:class:`MentorshipStateChange` row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import User
from pairs.models import Mentorship, MentorshipStateChange
from pairs.reminders.planning import mentorship_reminders_start
from pairs.signals import mentorship_ended, mentorships_completed
from programs.models import Participant, Profile, Program
from programs.services import ProgramError

# Programs in which new pairs may be made.
PAIRING_STATES = (Program.State.ENROLLING, Program.State.MATCHING, Program.State.RUNNING)


def mentor_capacity(mentor: Participant, program: Program | None = None) -> int:
    """How many mentees this mentor takes: their own number, else the program's default."""
    if mentor.capacity is not None:
        return mentor.capacity
    return (program or mentor.program).default_mentor_capacity


def active_mentee_counts(mentor_ids: Sequence[int]) -> dict[int, int]:
    """Active mentorships per mentor, one query."""
    rows = (
        Mentorship.objects.filter(mentor_id__in=mentor_ids, state=Mentorship.State.ACTIVE)
        .values("mentor_id")
        .annotate(n=Count("pk"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def _check_pair(program: Program, mentor: Participant, mentee: Participant) -> None:
    if program.state not in PAIRING_STATES:
        raise ProgramError(_("Pairs can only be made while the program is open."))
    if mentor.program_id != program.pk or mentee.program_id != program.pk:
        raise ProgramError(_("Both people must belong to this program."))
    if mentor.role != Participant.Role.MENTOR or mentee.role != Participant.Role.MENTEE:
        raise ProgramError(_("A pair is one mentor and one mentee."))
    if mentor.user_id is not None and mentor.user_id == mentee.user_id:
        raise ProgramError(_("A person cannot mentor themselves."))
    for person in (mentor, mentee):
        if person.status != Participant.Status.ACTIVE:
            raise ProgramError(
                _("%(name)s is not active in the program.") % {"name": person.display_name}
            )


def mentorship_create(
    *,
    program: Program,
    mentor: Participant,
    mentee: Participant,
    source: str,
    by: User | None,
    score: int | None = None,
    explanation: list[dict[str, Any]] | None = None,
    check_capacity: bool = True,
    now: dt.datetime | None = None,
) -> Mentorship:
    """Pair a mentor and a mentee. Call inside the caller's transaction.

    With ``check_capacity`` the mentor's row is locked and a full mentor is refused,
    so concurrent callers cannot give away the same last place.
    """
    now = now or timezone.now()
    _check_pair(program, mentor, mentee)
    with transaction.atomic():
        if check_capacity:
            locked = Participant.objects.select_for_update().get(pk=mentor.pk)
            taken = Mentorship.objects.filter(mentor=locked, state=Mentorship.State.ACTIVE).count()
            if taken >= mentor_capacity(locked):
                raise ProgramError(_("%(name)s has no free place.") % {"name": locked.display_name})
        if Mentorship.objects.filter(mentee=mentee, state=Mentorship.State.ACTIVE).exists():
            raise ProgramError(
                _("%(name)s already has a mentor in this program.") % {"name": mentee.display_name}
            )
        mentorship = Mentorship.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            source=source,
            score=score,
            explanation=explanation or [],
            started_at=now,
        )
        MentorshipStateChange.objects.create(
            mentorship=mentorship,
            from_state="",
            to_state=Mentorship.State.ACTIVE,
            changed_by=by,
            changed_at=now,
        )
        if mentee.rematch_requested_at is not None:
            Participant.objects.filter(pk=mentee.pk).update(rematch_requested_at=None)
            mentee.rematch_requested_at = None
        # The workspace's welcome, first-meeting and cadence nudges (pairs.reminders).
        mentorship_reminders_start(mentorship=mentorship, now=now)
    return mentorship


@transaction.atomic
def mentorship_end(
    *,
    mentorship: Mentorship,
    by: User,
    reason: str,
    rematch: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Mentorship:
    """End an active mentorship early with a no-fault reason.

    ``rematch`` names the sides ("mentor", "mentee") that asked for a new partner:
    a mentee is queued for the next match run with priority (oldest request first).
    """
    now = now or timezone.now()
    if reason not in Mentorship.EndReason.values:
        raise ProgramError(_("Choose a reason."))
    locked = Mentorship.objects.select_for_update().select_related("mentee").get(pk=mentorship.pk)
    if locked.state != Mentorship.State.ACTIVE:
        raise ProgramError(_("This mentorship has already ended."))
    locked.state = Mentorship.State.ENDED
    locked.ended_at = now
    locked.ended_by = by
    locked.end_reason = reason
    locked.save(update_fields=["state", "ended_at", "ended_by", "end_reason", "updated_at"])
    MentorshipStateChange.objects.create(
        mentorship=locked,
        from_state=Mentorship.State.ACTIVE,
        to_state=Mentorship.State.ENDED,
        reason=reason,
        changed_by=by,
        changed_at=now,
    )
    if Participant.Role.MENTEE in rematch:
        Participant.objects.filter(pk=locked.mentee_id, rematch_requested_at__isnull=True).update(
            rematch_requested_at=now
        )
    mentorship_ended.send(sender=Program, program=locked.program, mentorship=locked)
    return locked


@transaction.atomic
def mentorships_complete(
    *, program: Program, by: User | None, now: dt.datetime | None = None
) -> int:
    """Mark every active mentorship of a closing program completed."""
    now = now or timezone.now()
    ids = list(
        Mentorship.objects.select_for_update()
        .filter(program=program, state=Mentorship.State.ACTIVE)
        .values_list("pk", flat=True)
    )
    Mentorship.objects.filter(pk__in=ids).update(
        state=Mentorship.State.COMPLETED, ended_at=now, updated_at=now
    )
    MentorshipStateChange.objects.bulk_create(
        MentorshipStateChange(
            mentorship_id=pk,
            from_state=Mentorship.State.ACTIVE,
            to_state=Mentorship.State.COMPLETED,
            changed_by=by,
            changed_at=now,
        )
        for pk in ids
    )
    if ids:
        mentorships_completed.send(sender=Program, program=program, mentorship_ids=ids)
    return len(ids)


def mentorship_list_for(*, user: User) -> QuerySet[Mentorship]:
    """A person's own active mentorships, across programs, partner preloaded."""
    # The person's enrolments first (one index lookup), then pairs by those ids: an OR
    # across two joins (or two subqueries) makes PostgreSQL hash every pair and
    # participant, 28 ms at 10,000 pairs and growing; this way it is under 1 ms.
    mine = list(Participant.objects.filter(user=user).values_list("pk", flat=True))
    return (
        Mentorship.objects.filter(state=Mentorship.State.ACTIVE)
        .filter(Q(mentor__in=mine) | Q(mentee__in=mine))
        .select_related("program", "mentor", "mentor__user", "mentee", "mentee__user")
        .order_by("-started_at")
    )


def closure_reason_counts(*, program: Program) -> list[dict[str, Any]]:
    """How many mentorships ended early for each reason (for coordinators)."""
    rows = (
        Mentorship.objects.filter(program=program, state=Mentorship.State.ENDED)
        .values("end_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    labels = dict(Mentorship.EndReason.choices)
    return [
        {"reason": r["end_reason"], "label": labels.get(r["end_reason"], ""), "count": r["n"]}
        for r in rows
    ]


# -- Why a pair was matched ------------------------------------------------------


def explanation_reasons(explanation: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The parts of a stored explanation that are reasons for the match.

    A reason is a criterion that earned points, or a required rule the pair meets.
    A criterion that earned nothing ("no shared skills") stays in the stored
    explanation for the coordinator's review, but is never told to the pair as a
    reason; nor is the time-zone baseline, which is not a fact about anyone. The
    workspace, the introduction email and the self-match pages all show these.
    """
    reasons = []
    for part in explanation:
        if part.get("kind") == "baseline" or not part.get("text"):
            continue
        if (part.get("points") or 0) > 0 or (part.get("mandatory") and part.get("satisfied")):
            reasons.append(dict(part))
    return reasons


def _hours_apart(zone_a: str, zone_b: str, at: dt.datetime) -> float | None:
    """Hours between two zones' UTC offsets at ``at``, around the clock (0 to 12)."""
    try:
        a = at.astimezone(zoneinfo.ZoneInfo(zone_a)).utcoffset()
        b = at.astimezone(zoneinfo.ZoneInfo(zone_b)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    if a is None or b is None:
        return None
    minutes = abs(int((a - b).total_seconds() // 60)) % (24 * 60)
    return min(minutes, 24 * 60 - minutes) / 60


@dataclass(frozen=True)
class MatchReasons:
    """What the pair reads under "Why you were matched"."""

    reasons: list[dict[str, Any]]
    # The day the reasons were worked out (the day the pair was matched).
    worked_out_on: dt.datetime
    # Whether either profile (or time zone) changed since: the reasons may be stale.
    changed_since: bool


def match_reasons(*, mentorship: Mentorship) -> MatchReasons:
    """The reasons of a pair's match, and whether a profile changed since (one query).

    The reasons are those worked out on the day of matching; they are not
    recomputed, since the pair was matched on what the profiles said then. When
    either person's profile was saved after the match began, the page says so
    rather than presenting the old reasons as today's facts.
    """
    people = [p.user for p in (mentorship.mentee, mentorship.mentor) if p is not None]
    users = [u for u in people if u is not None]
    reasons = explanation_reasons(mentorship.explanation or [])
    changed = Profile.objects.filter(user__in=users, updated_at__gt=mentorship.started_at).exists()
    if not changed and len(users) == 2:
        # A time zone is the person's own setting, not part of the profile: compare
        # the hours the reason states with the hours between the zones shown now.
        now_apart = _hours_apart(users[0].time_zone, users[1].time_zone, timezone.now())
        for part in reasons:
            hours = part.get("hours")
            if part.get("kind") == "time_zone" and hours is not None and now_apart is not None:
                changed = changed or abs(float(hours) - now_apart) >= 0.5
    return MatchReasons(
        reasons=reasons,
        worked_out_on=mentorship.started_at,
        changed_since=changed,
    )
