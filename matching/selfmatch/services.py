"""Self-match requests: create, answer, withdraw, pass over, expire; the settings."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import tasks
from matching.models import MatchRequest, MatchSettings
from matching.selfmatch.forms import SelfMatchSettingsForm
from matching.selfmatch.notices import NOTICE_ACCEPTED, NOTICE_DECLINED, NOTICE_EXPIRED, NOTICE_NEW
from matching.selfmatch.selectors import (
    OPEN_STATES,
    State,
    _mentors_with_places,
    _score,
    settings_get,
)
from matching.signals import match_published
from mentoring.deferred import task_defer
from mentoring.models import User
from mentoring.sweeps import claim_and_send
from pairs.mentorships import PAIRING_STATES, mentor_capacity, mentorship_create
from pairs.models import Mentorship
from programs.models import Participant, Program
from programs.services import ProgramError

logger = logging.getLogger(__name__)

# The expiry sweep: requests per batch (each is its own short transaction) and
# batches per run, so one sweep stays bounded whatever the backlog.
EXPIRE_BATCH = 100
EXPIRE_BATCHES_PER_SWEEP = 10


class MatchingError(Exception):
    """A request the rules refuse; the message is shown to the person."""


@dataclass
class RequestOutcome:
    """What a change did: the request now waiting for an answer (if any) and the
    choices passed over because their mentor was full."""

    pending: MatchRequest | None
    skipped: list[MatchRequest] = field(default_factory=list)

    def message(self) -> str:
        parts = []
        if self.skipped:
            names = ", ".join(r.mentor.display_name for r in self.skipped)
            parts.append(
                ngettext(
                    "%(names)s has no free place left, so your request was not sent.",
                    "%(names)s have no free place left, so your requests were not sent.",
                    len(self.skipped),
                )
                % {"names": names}
            )
        if self.pending is not None:
            parts.append(
                _("Your request is with %(name)s, who has until %(date)s to answer.")
                % {
                    "name": self.pending.mentor.display_name,
                    "date": _date(self.pending.expires_at),
                }
            )
        else:
            parts.append(_("None of your choices is waiting for an answer; choose other mentors."))
        return " ".join(parts)


def _date(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "DATE_FORMAT")


def _lock_mentee(mentee_id: int) -> Participant:
    return Participant.objects.select_for_update().select_related("program").get(pk=mentee_id)


def _places_taken(mentor_id: int) -> int:
    active = Mentorship.objects.filter(mentor_id=mentor_id, state=Mentorship.State.ACTIVE).count()
    pending = MatchRequest.objects.filter(mentor_id=mentor_id, state=State.PENDING).count()
    return active + pending


def _advance(mentee: Participant, *, now: dt.datetime) -> RequestOutcome:
    """Send the mentee's next queued choice that has a free place; skip full ones.

    The caller holds the mentee's row lock and no pending request of theirs exists.
    """
    response_days = settings_get(mentee.program).self_match_response_days
    outcome = RequestOutcome(pending=None)
    queued = list(
        MatchRequest.objects.filter(mentee=mentee, state=State.QUEUED)
        .select_related("mentor", "mentor__user", "mentor__program")
        .order_by("rank", "pk")
    )
    for request in queued:
        mentor = request.mentor
        usable = mentor.status == Participant.Status.ACTIVE
        if usable:
            # Only lock a mentor who looks free: a full one is skipped without waiting.
            usable = _places_taken(mentor.pk) < mentor_capacity(mentor)
        if usable:
            locked = Participant.objects.select_for_update().get(pk=mentor.pk)
            usable = _places_taken(locked.pk) < mentor_capacity(locked)
        if not usable:
            request.state = State.SKIPPED
            request.answered_at = now
            request.save(update_fields=["state", "answered_at"])
            outcome.skipped.append(request)
            continue
        request.state = State.PENDING
        request.sent_at = now
        request.expires_at = now + dt.timedelta(days=response_days)
        request.save(update_fields=["state", "sent_at", "expires_at"])
        _notify_after_commit(request.pk, NOTICE_NEW)
        outcome.pending = request
        break
    return outcome


def _check_can_request(
    program: Program, mentee: Participant, match_settings: MatchSettings
) -> None:
    if not match_settings.self_match:
        raise MatchingError(_("This program does not let mentees choose their mentor."))
    if program.state not in PAIRING_STATES:
        raise MatchingError(_("Requests can only be sent while the program is open."))
    if mentee.role != Participant.Role.MENTEE or mentee.status != Participant.Status.ACTIVE:
        raise MatchingError(_("Only active mentees can ask for a mentor."))
    if Mentorship.objects.filter(mentee=mentee, state=Mentorship.State.ACTIVE).exists():
        raise MatchingError(_("You already have a mentor in this program."))
    if MatchRequest.objects.filter(mentee=mentee, state__in=OPEN_STATES).exists():
        raise MatchingError(
            _("Your earlier requests are still open. Withdraw them to choose again.")
        )


def match_request_create(
    *,
    mentee: Participant,
    mentor_ids: Sequence[int],
    message: str = "",
    now: dt.datetime | None = None,
) -> RequestOutcome:
    """Ask up to N mentors, in order of preference (``mentor_ids``).

    The first choice with a free place becomes pending and its mentor is emailed;
    full ones before it are skipped, and the rest wait in line.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(int(pk) for pk in mentor_ids))
    with transaction.atomic():
        locked = _lock_mentee(mentee.pk)
        program = locked.program
        match_settings = settings_get(program)
        _check_can_request(program, locked, match_settings)
        if not ids:
            raise MatchingError(_("Choose at least one mentor."))
        limit = match_settings.self_match_max_requests
        if len(ids) > limit:
            raise MatchingError(
                ngettext("Choose at most %(n)d mentor.", "Choose at most %(n)d mentors.", limit)
                % {"n": limit}
            )
        mentors = list(_mentors_with_places(program).filter(pk__in=ids))
        # Capacity is checked when each choice's turn comes, not here.
        scored = {
            r.mentor.pk: r for r in _score(program, locked, mentors, [1] * len(mentors), at=now)
        }
        if any(pk not in scored for pk in ids):
            raise MatchingError(_("Choose from the mentors recommended to you."))
        MatchRequest.objects.bulk_create(
            MatchRequest(
                program=program,
                mentee=locked,
                mentor=scored[pk].mentor,
                rank=rank,
                state=State.QUEUED,
                score=scored[pk].score,
                explanation=scored[pk].explanation,
                message=message.strip()[:1000],
            )
            for rank, pk in enumerate(ids, start=1)
        )
        return _advance(locked, now=now)


def _reload_locked(request_id: int) -> MatchRequest:
    return (
        MatchRequest.objects.select_for_update(of=("self",))
        .select_related("program", "mentee", "mentee__user", "mentor", "mentor__user")
        .get(pk=request_id)
    )


def match_request_answer(
    *,
    request: MatchRequest,
    accept: bool,
    by: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> RequestOutcome | Mentorship:
    """The mentor accepts (a mentorship starts; the mentee's other choices are
    withdrawn) or declines (the request passes to the mentee's next choice)."""
    now = now or timezone.now()
    with transaction.atomic():
        mentee = _lock_mentee(request.mentee_id)
        locked = _reload_locked(request.pk)
        if locked.state != State.PENDING:
            raise MatchingError(_("This request is no longer waiting for your answer."))
        if locked.expires_at is not None and locked.expires_at <= now:
            raise MatchingError(
                _("The time to answer this request has passed; it went to their next choice.")
            )
        if accept:
            try:
                mentorship = mentorship_create(
                    program=locked.program,
                    mentor=locked.mentor,
                    mentee=mentee,
                    source=Mentorship.Source.SELF_MATCH,
                    by=by,
                    score=locked.score,
                    explanation=locked.explanation,
                    now=now,
                )
            except ProgramError as error:
                raise MatchingError(str(error)) from error
            locked.state = State.ACCEPTED
            locked.answered_at = now
            locked.mentorship = mentorship
            locked.save(update_fields=["state", "answered_at", "mentorship"])
            MatchRequest.objects.filter(mentee=mentee, state=State.QUEUED).update(
                state=State.WITHDRAWN, answered_at=now
            )
            _notify_after_commit(locked.pk, NOTICE_ACCEPTED)
            match_published.send(
                sender=Program, program=locked.program, run=None, mentorship_ids=[mentorship.pk]
            )
            return mentorship
        locked.state = State.DECLINED
        locked.answered_at = now
        locked.decline_note = note.strip()[:300]
        locked.save(update_fields=["state", "answered_at", "decline_note"])
        outcome = _advance(mentee, now=now)
        _notify_after_commit(locked.pk, NOTICE_DECLINED)
        return outcome


def match_request_withdraw(
    *, request: MatchRequest, now: dt.datetime | None = None
) -> RequestOutcome:
    """The mentee takes back one open request; if it was pending, the next choice is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        mentee = _lock_mentee(request.mentee_id)
        locked = _reload_locked(request.pk)
        if locked.state not in OPEN_STATES:
            raise MatchingError(_("This request is no longer open."))
        was_pending = locked.state == State.PENDING
        locked.state = State.WITHDRAWN
        locked.answered_at = now
        locked.save(update_fields=["state", "answered_at"])
        if was_pending:
            return _advance(mentee, now=now)
        current = MatchRequest.objects.filter(mentee=mentee, state=State.PENDING).first()
        return RequestOutcome(pending=current)


def match_requests_mentor_left(*, mentor: Participant, now: dt.datetime | None = None) -> int:
    """A mentor left the program: their open requests are passed over and each mentee's
    next choice is sent. Locks each mentee first (the order every writer uses).
    Returns how many requests were passed over."""
    now = now or timezone.now()
    passed = 0
    mentee_ids = list(
        MatchRequest.objects.filter(mentor=mentor, state__in=OPEN_STATES)
        .order_by("mentee_id")
        .values_list("mentee_id", flat=True)
        .distinct()
    )
    with transaction.atomic():
        for mentee_id in mentee_ids:
            mentee = _lock_mentee(mentee_id)
            open_requests = MatchRequest.objects.select_for_update().filter(
                mentee=mentee, mentor=mentor, state__in=OPEN_STATES
            )
            was_pending = any(r.state == State.PENDING for r in open_requests)
            passed += open_requests.update(state=State.SKIPPED, answered_at=now)
            if was_pending:
                _advance(mentee, now=now)
    return passed


def match_requests_expire(*, now: dt.datetime | None = None) -> int:
    """The periodic sweep: pending requests past their time expire and pass to the
    mentee's next choice. Returns how many expired now.

    Each request is handled in its own transaction (mentoring.sweeps.claim_and_send),
    locking the mentee first (the order every writer uses) and checking again that
    the request is still pending and due, so a second sweep or a mentor answering at
    the same moment is harmless.
    """
    now = now or timezone.now()

    def lock(request_id: int) -> MatchRequest | None:
        mentee = (
            Participant.objects.select_for_update()
            .select_related("program")
            .filter(pk=Subquery(MatchRequest.objects.filter(pk=request_id).values("mentee_id")[:1]))
            .first()
        )
        if mentee is None:
            return None
        locked = _reload_locked(request_id)
        if locked.state != State.PENDING or locked.expires_at is None or locked.expires_at > now:
            return None
        locked.mentee = mentee
        return locked

    def expire(locked: MatchRequest) -> bool:
        locked.state = State.EXPIRED
        locked.answered_at = now
        locked.save(update_fields=["state", "answered_at"])
        _advance(locked.mentee, now=now)
        _notify_after_commit(locked.pk, NOTICE_EXPIRED)
        return True

    return claim_and_send(
        MatchRequest.objects.filter(state=State.PENDING, expires_at__lte=now),
        order_by=("expires_at", "pk"),
        send_one=expire,
        batch=EXPIRE_BATCH,
        batches=EXPIRE_BATCHES_PER_SWEEP,
        lock=lock,
        label="Expiring match request",
    ).sent


# Emails go after commit, through tasks that are safe to run twice.
def _notify_after_commit(request_id: int, notice: str) -> None:
    """Queued when the transaction commits, and recorded in it (mentoring.deferred)."""
    task_defer(tasks.send_match_request_notice_task, request_id, notice)


def _enqueue(request_id: int, notice: str) -> None:
    tasks.send_match_request_notice_task.delay(request_id, notice)


def settings_save(*, program: Program, form: SelfMatchSettingsForm, by: User) -> MatchSettings:
    with transaction.atomic():
        match_settings = form.save(commit=False)
        match_settings.program = program
        match_settings.updated_by = by
        match_settings.save()
    return match_settings
