"""Carrying a confirmed deletion out, in one transaction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from events.services import event_rsvps_withdraw
from integrations.models import ApiToken, ChatPreference, WebhookDelivery
from matching.models import MatchRequest
from matching.selfmatch import match_requests_mentor_left
from mentoring.audit import Action, audit_record
from mentoring.deferred import task_defer
from mentoring.models import (
    AuditEvent,
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
from privacy.erasure.requests import END_REASON, NAME_REDACTED, ErasureError, State
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
