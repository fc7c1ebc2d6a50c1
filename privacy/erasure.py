"""Deleting a person's account: their personal data goes, the numbers stay right.

The flow (docs/data-rights.md says it for people):

1. On "Your data" the person signs in again and asks (:func:`erasure_request_create`);
   a link goes to their address (valid ``LINK_HOURS``), proving the mailbox is theirs.
2. Following the link and pressing the button confirms (:func:`erasure_request_confirm`);
   a worker then carries it out right after commit (``erase_account_task``). Until they
   confirm they may cancel. A site admin may also carry out an open request from the
   staff page (for a request that came by another route, or a worker that failed).
3. :func:`erasure_execute` does everything in ONE transaction, so a failure anywhere
   leaves nothing half-done; running it again for a carried-out request does nothing.

What it does, in short: the account row stays (so every count, pair and check-in keeps
its link) but becomes a pseudonym: the address becomes ``erased-<id>@erased.invalid``,
names are emptied, sign-in is impossible (inactive, no password, no addresses, no SSO
link, no second factor, sessions ended, API tokens revoked, calendar address reset).
The same placeholder replaces the old address wherever it was a join key
(enrolments, HR's employee records, other people's "manager's email"), so HR's outcome
figures and the promotion goal still count this person the same way. Free text they
wrote goes (profile, profile answers, identified free-text survey answers, the notes of
check-ins only they logged, goals they created, an agreement they last edited, notes on
self-match requests); the numbers stay (check-ins held, ratings, survey scores). Active
mentorships end with a structured reason and the partner mentee is first in line for a
new match; enrolments are withdrawn. Partners and the coordinators of the person's
programs are told that the person left, without a name or a reason.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.services import event_rsvps_withdraw
from integrations.models import ApiToken, ChatPreference, WebhookDelivery
from matching.models import MatchRequest
from matching.selfmatch import match_requests_mentor_left
from mentoring.audit import Action, audit_record
from mentoring.deferred import task_defer
from mentoring.emails import absolute_url, email_send
from mentoring.models import (
    AuditEvent,
    Delivery,
    EmployeeRecord,
    ErasureRequest,
    NotificationPreference,
    User,
    erased_email,
)
from pairs.checkins.services import checkin_cancel
from pairs.mentorships import mentorship_end
from pairs.models import CheckIn, Mentorship, MentorshipAgreement, PairGoal
from privacy import tasks
from programs.calendar import calendar_feed_reset
from programs.models import (
    CalendarFeed,
    Participant,
    ParticipantImport,
    Profile,
    ProfileAnswer,
    Program,
)
from surveys.models import Answer, Invitation
from surveys.models import Question as SurveyQuestion

State = ErasureRequest.State
# Kept from when this lived in mentoring.erasure: links already emailed stay valid.
LINK_SALT = "mentoring.erasure.confirm"
LINK_HOURS = 24
# How mentorships end when one of the two deletes their account: no-fault, no detail.
END_REASON = Mentorship.EndReason.OTHER
# Replaces the person's name inside stored free text of other rows (import reports,
# webhook payloads); their address is replaced by the account's placeholder.
NAME_REDACTED = "[deleted]"

DELIVERY_CONFIRM = "erasure-confirm"
DELIVERY_DONE = "erasure-done"
DELIVERY_PARTNER = "erasure-partner"
DELIVERY_COORDINATOR = "erasure-coordinator"


class ErasureError(Exception):
    """A request that cannot go ahead, with a message for the person."""


# ------------------------------------------------------------------------------
# Asking, confirming, cancelling
# ------------------------------------------------------------------------------


def erasure_request_open(*, user: User) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(user=user, state__in=ErasureRequest.OPEN_STATES).first()


def erasure_link_token(erasure_request: ErasureRequest) -> str:
    return signing.dumps({"r": erasure_request.pk, "n": erasure_request.nonce}, salt=LINK_SALT)


def erasure_link_url(erasure_request: ErasureRequest) -> str:
    path = reverse("erasure_confirm", args=[erasure_link_token(erasure_request)])
    return absolute_url(path)


def erasure_request_from_token(token: str) -> ErasureRequest | None:
    """The still-unconfirmed request a link belongs to; None when the link is wrong,
    expired, already used or replaced by a newer one."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(hours=LINK_HOURS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    request_id, nonce = data.get("r"), data.get("n")
    if not isinstance(request_id, int) or not isinstance(nonce, str) or not nonce:
        return None
    return (
        ErasureRequest.objects.select_related("user")
        .filter(pk=request_id, nonce=nonce, state=State.REQUESTED)
        .first()
    )


def _send_confirmation_after_commit(erasure_request: ErasureRequest) -> None:
    request_id, nonce = erasure_request.pk, erasure_request.nonce
    task_defer(tasks.send_erasure_confirmation_task, request_id, nonce)


@transaction.atomic
def erasure_request_create(
    *, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> ErasureRequest:
    """Ask for the account to be deleted; the confirmation link goes out after commit.

    Asking again while a request waits sends a fresh link (the old one stops working);
    a confirmed request is already being carried out and is returned as it is.
    """
    now = now or timezone.now()
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_erased or not locked.is_active:
        raise ErasureError(_("This account can no longer be changed."))
    erasure_request = (
        ErasureRequest.objects.select_for_update()
        .filter(user=locked, state__in=ErasureRequest.OPEN_STATES)
        .first()
    )
    if erasure_request is not None and erasure_request.state == State.CONFIRMED:
        return erasure_request
    if erasure_request is None:
        erasure_request = ErasureRequest(user=locked, requested_at=now)
    erasure_request.nonce = secrets.token_hex(16)
    erasure_request.save()
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=locked,
        request=request,
        target=locked,
        detail={"step": "requested", "request": erasure_request.pk},
    )
    _send_confirmation_after_commit(erasure_request)
    return erasure_request


@transaction.atomic
def erasure_request_cancel(
    *, user: User, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> bool:
    """Withdraw a request that waits for its email confirmation. False if none waits."""
    erasure_request = (
        ErasureRequest.objects.select_for_update().filter(user=user, state=State.REQUESTED).first()
    )
    if erasure_request is None:
        return False
    erasure_request.state = State.CANCELLED
    erasure_request.cancelled_at = now or timezone.now()
    erasure_request.nonce = ""
    erasure_request.save(update_fields=["state", "cancelled_at", "nonce"])
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=user,
        request=request,
        target=user,
        detail={"step": "cancelled", "request": erasure_request.pk},
    )
    return True


def _execute_after_commit(request_id: int) -> None:
    transaction.on_commit(lambda: tasks.erase_account_task.delay(request_id))


@transaction.atomic
def erasure_request_confirm(
    *, token: str, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> ErasureRequest | None:
    """The person followed the emailed link and pressed the button: queue the erasure.
    None when the link no longer works."""
    found = erasure_request_from_token(token)
    if found is None:
        return None
    erasure_request = ErasureRequest.objects.select_for_update().get(pk=found.pk)
    if erasure_request.state != State.REQUESTED or erasure_request.nonce != found.nonce:
        return None
    erasure_request.state = State.CONFIRMED
    erasure_request.confirmed_at = now or timezone.now()
    erasure_request.nonce = ""
    erasure_request.save(update_fields=["state", "confirmed_at", "nonce"])
    audit_record(
        action=Action.ERASURE_REQUEST,
        actor=found.user,
        request=request,
        target=found.user,
        detail={"step": "confirmed", "request": erasure_request.pk},
    )
    _execute_after_commit(erasure_request.pk)
    return erasure_request


def erasure_request_list() -> models.QuerySet[ErasureRequest]:
    """For the staff page: open requests first, then the most recent."""
    return ErasureRequest.objects.select_related("user", "executed_by").order_by(
        models.Case(
            models.When(state__in=ErasureRequest.OPEN_STATES, then=0),
            default=1,
        ),
        "-requested_at",
        "-pk",
    )


# ------------------------------------------------------------------------------
# Carrying it out
# ------------------------------------------------------------------------------


@dataclass
class Erasure:
    """What one run did; ``old_email`` lives in memory only, for the closing email."""

    erasure_request: ErasureRequest
    old_email: str
    done_now: bool


def _sessions_end(user: User, *, now: dt.datetime) -> int:
    """Delete the person's sessions (database sessions are not indexed by user, so the
    live ones are read; their number, not the data size, bounds the cost)."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=1000):
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _redactor(old_email: str, names: list[str], placeholder: str) -> Any:
    patterns = [(re.compile(re.escape(old_email), re.IGNORECASE), placeholder)]
    patterns += [
        (re.compile(re.escape(name), re.IGNORECASE), NAME_REDACTED)
        for name in sorted(set(names), key=len, reverse=True)
        if len(name) >= 3
    ]

    def redact(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, replacement in patterns:
                value = pattern.sub(replacement, value)
            return value
        if isinstance(value, list):
            return [redact(v) for v in value]
        if isinstance(value, dict):
            return {k: redact(v) for k, v in value.items()}
        return value

    return redact


def _redact_rows(
    queryset: models.QuerySet[Any], fields: list[str], old_email: str, redact: Any
) -> int:
    """Rewrite the given text or JSON fields of the rows that mention the address."""
    mentions = Q()
    for name in fields:
        mentions |= Q(**{f"_text_{name}__icontains": old_email})
    annotated = queryset.annotate(
        **{f"_text_{name}": Cast(name, models.TextField()) for name in fields}
    ).filter(mentions)
    changed = 0
    for row in annotated.select_for_update(of=("self",)):
        for name in fields:
            setattr(row, name, redact(getattr(row, name)))
        row.save(update_fields=fields)
        changed += 1
    return changed


def _checkins_forget(participant_ids: list[int], user: User) -> int:
    """Remove the topics and notes the person may have written. The record does not say
    who typed them, only who logged, so they are kept only when the partner alone
    logged the check-in; the meeting itself (time, status, duration, ratings) stays."""
    forgotten = 0
    for mine, partner in (("mentor", "mentee"), ("mentee", "mentor")):
        forgotten += (
            CheckIn.objects.filter(**{f"mentorship__{mine}__in": participant_ids})
            .exclude(**{f"{mine}_logged_at__isnull": True, f"{partner}_logged_at__isnull": False})
            .exclude(topics="", notes="")
            .update(topics="", notes="")
        )
    CheckIn.objects.filter(proposed_by=user).exclude(location="", video_url="").update(
        location="", video_url=""
    )
    return forgotten


def _mentorships_end(participant_ids: list[int], user: User, *, now: dt.datetime) -> list[int]:
    """Cancel what was still planned and end every active pair, the partner mentee
    queued first for a new mentor."""
    active = list(
        Mentorship.objects.filter(
            Q(mentor__in=participant_ids) | Q(mentee__in=participant_ids),
            state=Mentorship.State.ACTIVE,
        ).order_by("pk")
    )
    for mentorship in active:
        upcoming = CheckIn.objects.filter(
            mentorship=mentorship,
            status__in=[CheckIn.Status.PROPOSED, CheckIn.Status.SCHEDULED],
            scheduled_at__gt=now,
        ).order_by("pk")
        for checkin in upcoming:
            checkin_cancel(checkin=checkin, by=user, now=now)
        partner_is_mentee = mentorship.mentor_id in participant_ids
        mentorship_end(
            mentorship=mentorship,
            by=user,
            reason=END_REASON,
            rematch=(Participant.Role.MENTEE,) if partner_is_mentee else (),
            now=now,
        )
    return [m.pk for m in active]


def _erase(erasure_request: ErasureRequest, *, now: dt.datetime) -> dict[str, Any]:
    user = User.objects.select_for_update().get(pk=erasure_request.user_id)
    old_email = user.email
    placeholder = erased_email(user.pk)
    names = [n for n in (user.full_name, user.preferred_name) if n]
    participants = Participant.objects.filter(
        Q(user=user) | Q(user__isnull=True, email__iexact=old_email)
    )
    names += [n for n in participants.values_list("full_name", flat=True) if n]
    participant_ids = list(participants.order_by("pk").values_list("pk", flat=True))
    program_ids = sorted(set(participants.values_list("program_id", flat=True)))
    counts: dict[str, Any] = {"programs": program_ids, "participants": len(participant_ids)}

    # Self-match requests: passed on (as a mentor) or withdrawn (as a mentee), notes gone.
    for mentor in Participant.objects.filter(
        pk__in=participant_ids, role=Participant.Role.MENTOR
    ).order_by("pk"):
        match_requests_mentor_left(mentor=mentor, now=now)
    MatchRequest.objects.filter(
        mentee__in=participant_ids,
        state__in=[MatchRequest.State.QUEUED, MatchRequest.State.PENDING],
    ).update(state=MatchRequest.State.WITHDRAWN, answered_at=now)
    MatchRequest.objects.filter(mentee__in=participant_ids).exclude(message="").update(message="")
    MatchRequest.objects.filter(mentor__in=participant_ids).exclude(decline_note="").update(
        decline_note=""
    )

    # Pairs: what was planned is cancelled, active pairs end; then their private text.
    ended = _mentorships_end(participant_ids, user, now=now)
    counts["mentorships_ended"] = ended
    counts["checkin_notes_removed"] = _checkins_forget(participant_ids, user)
    counts["pair_goals_removed"] = (
        PairGoal.objects.filter(created_by=user).delete()[1].get(PairGoal._meta.label, 0)
    )
    MentorshipAgreement.objects.filter(updated_by=user).exclude(expectations="").update(
        expectations=""
    )

    # Surveys: free text they wrote under their name goes; scores stay; no more links.
    counts["survey_texts_removed"] = (
        Answer.objects.filter(
            response__participant__in=participant_ids, question__kind=SurveyQuestion.Kind.TEXT
        )
        .delete()[1]
        .get(Answer._meta.label, 0)
    )
    Invitation.objects.filter(participant__in=participant_ids, sent_at__isnull=True).delete()
    Invitation.objects.filter(participant__in=participant_ids, answered_at__isnull=True).update(
        nonce="", next_reminder_at=None
    )

    # Events not yet held free their places; attendance of past ones stays (counts).
    counts["rsvps_withdrawn"] = event_rsvps_withdraw(user=user, now=now)

    # Enrolments: withdrawn, and only what the aggregates group by is kept.
    ProfileAnswer.objects.filter(participant__in=participant_ids).delete()
    Participant.objects.filter(pk__in=participant_ids).update(
        status=Participant.Status.WITHDRAWN,
        email=placeholder,
        full_name="",
        job_title="",
        manager_email="",
        location="",
        invite_nonce="",
        invite_expires_at=None,
        rematch_requested_at=None,
        updated_at=now,
    )
    Profile.objects.filter(user=user).delete()
    # Where the address is a join key elsewhere, the placeholder keeps the join.
    Participant.objects.filter(manager_email__iexact=old_email).update(manager_email=placeholder)
    Profile.objects.filter(manager_email__iexact=old_email).update(manager_email=placeholder)
    EmployeeRecord.objects.filter(email__iexact=old_email).update(email=placeholder)

    # Ways in and ways to reach them.
    counts["sessions_ended"] = _sessions_end(user, now=now)
    counts["api_tokens_revoked"] = ApiToken.objects.filter(
        owner=user, revoked_at__isnull=True
    ).update(revoked_at=now)
    ApiToken.objects.filter(owner=user).update(name="")
    if CalendarFeed.objects.filter(user=user).exists():
        calendar_feed_reset(user=user)
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    ChatPreference.objects.filter(user=user).delete()
    Program.coordinators.through.objects.filter(user_id=user.pk).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = placeholder
    user.full_name = ""
    user.preferred_name = ""
    user.time_zone = "UTC"
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.is_hr_viewer = False
    user.is_coordinator = False
    user.role_granted_at = None
    user.last_login = None
    user.set_unusable_password()
    user.save()

    # Copies of the address or name inside other records.
    redact = _redactor(old_email, names, placeholder)
    counts["records_redacted"] = _redact_rows(
        WebhookDelivery.objects.filter(endpoint__program_id__in=program_ids),
        ["payload", "response_body", "error"],
        old_email,
        redact,
    ) + _redact_rows(
        ParticipantImport.objects.filter(program_id__in=program_ids),
        ["content", "summary", "problems", "notices"],
        old_email,
        redact,
    )
    admin_rows = Q(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ) | Q(
        content_type=ContentType.objects.get_for_model(Participant),
        object_id__in=[str(pk) for pk in participant_ids],
    )
    # An address shown as an object's name (an email address row, say).
    admin_rows |= Q(object_repr__icontains=old_email)
    LogEntry.objects.filter(admin_rows).update(object_repr=placeholder)
    counts["audit_rows_redacted"] = AuditEvent.objects.identity_erase(
        user_id=user.pk, emails=[old_email], placeholder=placeholder
    )
    return {**counts, "old_email": old_email}


def erasure_execute(
    *,
    request_id: int,
    by: User | None = None,
    http_request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Erasure:
    """Carry out a request, all of it in one transaction.

    ``by`` is None for the worker (the request must be confirmed) or a site admin (who
    may also carry out a request still waiting for its confirmation). A request carried
    out before, or cancelled, changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        erasure_request = (
            ErasureRequest.objects.select_for_update().select_related("user").get(pk=request_id)
        )
        if not erasure_request.is_open:
            return Erasure(erasure_request, "", False)
        if by is None and erasure_request.state != State.CONFIRMED:
            raise ErasureError(_("This request has not been confirmed."))
        if by is not None and by.pk == erasure_request.user_id:
            raise ErasureError(_("Confirm your own request through the emailed link."))
        result = _erase(erasure_request, now=now)
        old_email = result.pop("old_email")
        erasure_request.state = State.DONE
        erasure_request.executed_at = now
        erasure_request.executed_by = by
        erasure_request.nonce = ""
        erasure_request.summary = result
        erasure_request.save(
            update_fields=["state", "executed_at", "executed_by", "nonce", "summary"]
        )
        erased = User.objects.get(pk=erasure_request.user_id)
        audit_record(
            action=Action.ERASURE,
            actor=by or erased,
            request=http_request,
            target=erased,
            detail={
                "request": erasure_request.pk,
                "requested_at": erasure_request.requested_at.isoformat(),
                "executed_by": "staff" if by is not None else "self",
                "programs": len(result["programs"]),
                "mentorships_ended": len(result["mentorships_ended"]),
                "checkin_notes_removed": result["checkin_notes_removed"],
                "sessions_ended": result["sessions_ended"],
            },
        )
        request_pk = erasure_request.pk
        _enqueue_notices(request_pk, old_email)
    return Erasure(erasure_request, old_email, True)


def _enqueue_notices(request_id: int, old_email: str) -> None:
    task_defer(tasks.send_erasure_notices_task, request_id)
    # The old address travels in the task message only (never in a deferred task's
    # row): the database must no longer hold it.
    transaction.on_commit(lambda: tasks.send_erasure_done_task.delay(request_id, old_email))


# ------------------------------------------------------------------------------
# Emails
# ------------------------------------------------------------------------------


def erasure_confirmation_send(*, request_id: int, nonce: str) -> bool:
    """The link that confirms a request, once per link."""
    with transaction.atomic():
        erasure_request = (
            ErasureRequest.objects.select_related("user")
            .filter(pk=request_id, nonce=nonce, state=State.REQUESTED)
            .first()
        )
        if erasure_request is None or not nonce:
            return False
        if not Delivery.objects.claim(kind=DELIVERY_CONFIRM, key=f"{request_id}:{nonce}"):
            return False
        user = erasure_request.user
        with timezone.override(user.time_zone or "UTC"):
            email_send(
                to=[user.email],
                template="mentoring/erasure_confirm",
                context={
                    "person": user,
                    "link": erasure_link_url(erasure_request),
                    "hours": LINK_HOURS,
                    "data_url": absolute_url(reverse("personal_data")),
                },
            )
    return True


def erasure_done_send(*, request_id: int, address: str) -> bool:
    """The closing email to the address the account had, once."""
    with transaction.atomic():
        done = ErasureRequest.objects.filter(pk=request_id, state=State.DONE).exists()
        if not done or not address:
            return False
        if not Delivery.objects.claim(kind=DELIVERY_DONE, key=str(request_id)):
            return False
        email_send(to=[address], template="mentoring/erasure_done", context={})
    return True


def erasure_notices_send(*, request_id: int) -> int:
    """Tell each ended pair's partner, and the coordinators of every program the person
    was in, that they left: no name, no reason. Once per person told."""
    erasure_request = ErasureRequest.objects.filter(pk=request_id, state=State.DONE).first()
    if erasure_request is None:
        return 0
    summary = erasure_request.summary
    ended = list(
        Mentorship.objects.filter(pk__in=summary.get("mentorships_ended", []))
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("pk")
    )
    user_id = erasure_request.user_id
    sent = 0
    for mentorship in ended:
        partner = mentorship.mentee if mentorship.mentor.user_id == user_id else mentorship.mentor
        person = partner.user
        if person is None or not person.is_active:
            continue
        with transaction.atomic():
            if not Delivery.objects.claim(
                kind=DELIVERY_PARTNER, key=f"{request_id}:{mentorship.pk}"
            ):
                continue
            with timezone.override(person.time_zone or "UTC"):
                email_send(
                    to=[person.email],
                    template="mentoring/erasure_partner",
                    context={
                        "person": person,
                        "program": mentorship.program,
                        "rematch": partner.role == Participant.Role.MENTEE,
                    },
                )
            sent += 1
    roles = dict(
        Participant.objects.filter(email=erased_email(user_id)).values_list("program_id", "role")
    )
    programs = Program.objects.filter(pk__in=summary.get("programs", [])).prefetch_related(
        "coordinators"
    )
    for program in programs:
        pairs = [m for m in ended if m.program_id == program.pk]
        partners = [
            (m.mentee if m.mentor.user_id == user_id else m.mentor).display_name for m in pairs
        ]
        for coordinator in program.coordinators.all():
            if not coordinator.is_active or coordinator.pk == user_id:
                continue
            with transaction.atomic():
                if not Delivery.objects.claim(
                    kind=DELIVERY_COORDINATOR, key=f"{request_id}:{program.pk}:{coordinator.pk}"
                ):
                    continue
                email_send(
                    to=[coordinator.email],
                    template="mentoring/erasure_coordinator",
                    context={
                        "person": coordinator,
                        "program": program,
                        "role": Participant.Role(roles[program.pk]).label
                        if program.pk in roles
                        else "",
                        "partners": partners,
                        "link": absolute_url(
                            reverse("programs:participant_list", args=[program.pk])
                        ),
                    },
                )
                sent += 1
    return sent
