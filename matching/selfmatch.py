"""Self-match: a mentee browses recommended mentors, asks up to N of them in order of
preference, and each mentor in turn accepts or declines.

Only one of a mentee's requests waits for an answer at a time (``pending``); the
others are ``queued`` behind it by rank. A declined, expired or withdrawn pending
request passes to the next queued choice; a choice whose mentor has no free place
left when its turn comes is ``skipped``. A pending request holds one of the
mentor's places: a mentor's free places are their capacity minus their active
mentorships minus the pending requests to them.

Locks, always in this order so that two writers never wait on each other: the
mentee's Participant row, then the request rows, then one mentor's Participant row.
Giving a place (making a request pending) counts the mentor's places under the
mentor's row lock, so two mentees racing for a last place cannot both get it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from django import forms
from django.db import transaction
from django.db.models import Count, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching.inputs import config_from_program, explanation_store, field_catalog, pool_build
from matching.models import MatchRequest, MatchSettings
from matching.signals import match_published
from mentoring.deferred import task_defer
from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import Kind, notification_send
from mentoring.sweeps import claim_and_send
from pairs.mentorships import (
    PAIRING_STATES,
    active_mentee_counts,
    explanation_reasons,
    mentor_capacity,
    mentorship_create,
)
from pairs.models import Mentorship
from programs.models import Participant, Program
from programs.services import ProgramError

logger = logging.getLogger(__name__)

State = MatchRequest.State
OPEN_STATES = (State.QUEUED, State.PENDING)
# How many mentors the "Find a mentor" page recommends.
RECOMMENDED_LIMIT = 20
# The expiry sweep: requests per batch (each is its own short transaction) and
# batches per run, so one sweep stays bounded whatever the backlog.
EXPIRE_BATCH = 100
EXPIRE_BATCHES_PER_SWEEP = 10

# Notices (emails), each sent at most once per request.
NOTICE_NEW = "new"  # to the mentor: a mentee asks you
NOTICE_DECLINED = "declined"  # to the mentee, with their next choice if any
NOTICE_EXPIRED = "expired"  # to the mentee, with their next choice if any
NOTICE_ACCEPTED = "accepted"  # to both: you have a match, with the reasons
NOTICES = (NOTICE_NEW, NOTICE_DECLINED, NOTICE_EXPIRED, NOTICE_ACCEPTED)
DELIVERY_KIND = "match-request"


class MatchingError(Exception):
    """A request the rules refuse; the message is shown to the person."""


def settings_get(program: Program) -> MatchSettings:
    found = MatchSettings.objects.filter(program=program).first()
    return found or MatchSettings(program=program)


# ------------------------------------------------------------------------------
# Recommendations
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    mentor: Participant
    score: int
    # Stored explanation parts (JSON-ready), each with "points" and "text".
    explanation: list[dict[str, Any]]
    free: int
    reasons: list[str] = field(default_factory=list)


def reasons_of(explanation: Sequence[dict[str, Any]]) -> list[str]:
    """The sentences worth showing (pairs.mentorships.explanation_reasons)."""
    return [str(part["text"]) for part in explanation_reasons(explanation)]


def _mentors_with_places(program: Program) -> QuerySet[Participant]:
    """Active mentors of the program, with what scoring and the cards need."""
    return (
        Participant.objects.filter(
            program=program, role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE
        )
        .select_related("program", "user", "user__profile")
        .order_by("pk")
    )


def _pending_counts(mentor_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        MatchRequest.objects.filter(mentor_id__in=mentor_ids, state=State.PENDING)
        .values("mentor_id")
        .annotate(n=Count("pk"))
    )
    return {row["mentor_id"]: row["n"] for row in rows}


def _score(
    program: Program,
    mentee: Participant,
    mentors: Sequence[Participant],
    free: Sequence[int],
    *,
    at: dt.datetime,
) -> list[Recommendation]:
    """Every mentor that passes the hard rules for this mentee, best score first."""
    if not mentors:
        return []
    config = config_from_program(program)
    blocked = {mentor for mentee_id, mentor in config["blocks"] if mentee_id == mentee.pk}
    pool = pool_build(program, config, mentees=[mentee], mentors=mentors, free=free, at=at)
    scores, feasible = pool.scorer.exact_block(np.array([0], dtype=np.int64))
    order = sorted(
        (col for col in range(len(mentors)) if feasible[0, col]),
        key=lambda col: (-float(scores[0, col]), mentors[col].pk),
    )
    catalog = field_catalog(program)
    found = []
    for col in order:
        mentor = mentors[col]
        if mentor.pk in blocked or mentor.user_id == mentee.user_id:
            continue
        explanation = pool.scorer.explain(0, col)
        stored = explanation_store(explanation, config, catalog)
        found.append(
            Recommendation(
                mentor=mentor,
                score=explanation.score,
                explanation=stored,
                free=free[col],
                reasons=reasons_of(stored),
            )
        )
    return found


def recommended_mentors(
    program: Program,
    mentee_participant: Participant,
    limit: int | None = RECOMMENDED_LIMIT,
    *,
    now: dt.datetime | None = None,
) -> list[Recommendation]:
    """Mentors this mentee may ask, best score first, each with the reasons.

    Only mentors who pass the program's hard rules and mandatory criteria, are not
    blocked for this mentee, have not declined them before and still have a free
    place (pending requests to them count as taken). A fixed number of queries,
    whatever the number of mentors.
    """
    now = now or timezone.now()
    mentors = list(_mentors_with_places(program))
    pending = _pending_counts([m.pk for m in mentors])
    active = active_mentee_counts([m.pk for m in mentors])
    declined = set(
        MatchRequest.objects.filter(mentee=mentee_participant, state=State.DECLINED).values_list(
            "mentor_id", flat=True
        )
    )
    kept: list[Participant] = []
    free: list[int] = []
    for mentor in mentors:
        places = mentor_capacity(mentor) - active.get(mentor.pk, 0) - pending.get(mentor.pk, 0)
        if places > 0 and mentor.pk not in declined:
            kept.append(mentor)
            free.append(places)
    found = _score(program, mentee_participant, kept, free, at=now)
    return found[:limit] if limit is not None else found


# ------------------------------------------------------------------------------
# Requests
# ------------------------------------------------------------------------------


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
    from django.utils.formats import date_format

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


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------


def request_list_for_mentee(*, mentee: Participant) -> list[MatchRequest]:
    return list(
        MatchRequest.objects.filter(mentee=mentee)
        .select_related("mentor", "mentor__user")
        .order_by("-created_at", "rank", "pk")[:50]
    )


def request_list_for_mentor(*, mentor: Participant) -> list[MatchRequest]:
    """Requests waiting for this mentor's answer, oldest first, then recent answers."""
    return list(
        MatchRequest.objects.filter(mentor=mentor)
        .exclude(state__in=(State.QUEUED, State.SKIPPED, State.WITHDRAWN))
        .select_related("mentee", "mentee__user", "mentee__user__profile")
        .order_by("-sent_at", "pk")[:50]
    )


def mentee_has_mentor(mentee: Participant) -> bool:
    return Mentorship.objects.filter(mentee=mentee, state=Mentorship.State.ACTIVE).exists()


# ------------------------------------------------------------------------------
# Emails (after commit, through tasks that are safe to run twice)
# ------------------------------------------------------------------------------


def _notify_after_commit(request_id: int, notice: str) -> None:
    """Queued when the transaction commits, and recorded in it (mentoring.deferred)."""
    from matching.tasks import send_match_request_notice_task

    task_defer(send_match_request_notice_task, request_id, notice)


def _enqueue(request_id: int, notice: str) -> None:
    from matching.tasks import send_match_request_notice_task

    send_match_request_notice_task.delay(request_id, notice)


# The state a request must still be in for its notice to go out.
NOTICE_STATES = {
    NOTICE_NEW: State.PENDING,
    NOTICE_DECLINED: State.DECLINED,
    NOTICE_EXPIRED: State.EXPIRED,
    NOTICE_ACCEPTED: State.ACCEPTED,
}


def _send(*, to: User, template: str, context: dict[str, Any]) -> None:
    notification_send(to=to, kind=Kind.MATCH_REQUESTS, template=template, context=context)


def match_request_notice_send(*, request_id: int, notice: str) -> int:
    """Email one notice of one request, once. Returns how many emails went out now."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice: {notice}")
    with transaction.atomic():
        request = (
            MatchRequest.objects.select_for_update(of=("self",))
            .select_related("program", "mentee", "mentee__user", "mentor", "mentor__user")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.state != NOTICE_STATES[notice]:
            return 0
        if not Delivery.objects.claim(kind=DELIVERY_KIND, key=f"{request_id}:{notice}"):
            return 0
        program = request.program
        mentee, mentor = request.mentee, request.mentor
        context: dict[str, Any] = {
            "program": program,
            "request": request,
            "mentee": mentee,
            "mentor": mentor,
            "reasons": reasons_of(request.explanation),
        }
        sent = 0
        if notice == NOTICE_NEW and mentor.user is not None:
            link = absolute_url(reverse("matching:selfmatch_incoming", args=[program.pk]))
            _send(
                to=mentor.user, template="matching/request_new", context={**context, "link": link}
            )
            sent += 1
        elif notice in (NOTICE_DECLINED, NOTICE_EXPIRED) and mentee.user is not None:
            next_request = (
                MatchRequest.objects.filter(mentee=mentee, state=State.PENDING)
                .select_related("mentor")
                .first()
            )
            link = absolute_url(reverse("matching:selfmatch_mine", args=[program.pk]))
            find = absolute_url(reverse("matching:selfmatch_find", args=[program.pk]))
            _send(
                to=mentee.user,
                template="matching/request_passed",
                context={
                    **context,
                    "notice": notice,
                    "next_request": next_request,
                    "link": link,
                    "find_link": find,
                },
            )
            sent += 1
        elif notice == NOTICE_ACCEPTED:
            link = absolute_url(reverse("programs:program_overview", args=[program.pk]))
            for person, partner in ((mentee, mentor), (mentor, mentee)):
                if person.user is None:
                    continue
                _send(
                    to=person.user,
                    template="matching/request_accepted",
                    context={
                        **context,
                        "partner": partner,
                        "is_mentee": person == mentee,
                        "link": link,
                    },
                )
                sent += 1
        return sent


# ------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------


class RequestForm(forms.Form):
    """The mentee's choices: mentor ids in order of preference, and a note."""

    mentors = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Mentors to ask"), coerce=int, required=True
    )
    message = forms.CharField(
        label=gettext_lazy("A note to your mentor (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Say what you hope to work on; each mentor you ask sees it."),
    )

    def __init__(self, *args: Any, choices: Sequence[Recommendation], limit: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limit = limit
        cast(forms.ChoiceField, self.fields["mentors"]).choices = [
            (r.mentor.pk, r.mentor.display_name) for r in choices
        ]
        self.fields["mentors"].error_messages["required"] = _("Choose at least one mentor.")
        self.ranks = {r.mentor.pk: str(self.data.get(f"rank-{r.mentor.pk}", "")) for r in choices}

    def clean_mentors(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["mentors"]
        if len(chosen) > self.limit:
            raise forms.ValidationError(
                ngettext(
                    "Choose at most %(n)d mentor.", "Choose at most %(n)d mentors.", self.limit
                )
                % {"n": self.limit}
            )

        # Order by the rank typed next to each choice (blank last), then page order.
        def key(pk: int) -> tuple[int, int]:
            text = self.ranks.get(pk, "").strip()
            return (int(text) if text.isdigit() else 99, chosen.index(pk))

        return sorted(chosen, key=key)


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A note to the mentee (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kind words help, e.g. who might be a better fit."),
    )


class SelfMatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = ["self_match", "self_match_max_requests", "self_match_response_days"]


def settings_save(*, program: Program, form: SelfMatchSettingsForm, by: User) -> MatchSettings:
    with transaction.atomic():
        match_settings = form.save(commit=False)
        match_settings.program = program
        match_settings.updated_by = by
        match_settings.save()
    return match_settings
