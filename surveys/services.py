"""Writes of the surveys app: building, publishing, one-time links and answers.

A survey's questions are built in surveys/questions.py; the periodic sweep that
invites and reminds people lives in surveys/sweeps.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.audience import Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.models import Participant, Program
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.signals import survey_closed
from surveys.starters import STARTERS_BY_KEY

LINK_SALT = "surveys.invitation"
TEXT_ANSWER_MAX = 2000


class SurveyError(Exception):
    """A change that is not allowed; the message is for the person who tried."""


def _check_program(program: Program) -> None:
    if program.state == Program.State.CLOSED:
        raise SurveyError(_("A closed program can no longer change its surveys."))


def check_draft(survey: Survey) -> None:
    _check_program(survey.program)
    if survey.state != Survey.State.DRAFT:
        raise SurveyError(
            _("Questions can change only while the survey is a draft, so answers stay comparable.")
        )


# ------------------------------------------------------------------------------
# Building
# ------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, program: Program, by: User, title: str = "", starter_key: str = "") -> Survey:
    """A new draft, blank or copied from a ready-made template."""
    _check_program(program)
    starter = STARTERS_BY_KEY.get(starter_key) if starter_key else None
    if starter_key and starter is None:
        raise SurveyError(_("Choose one of the templates, or start from a blank survey."))
    title = (title or "").strip()
    if starter is not None:
        survey = Survey.objects.create(
            program=program,
            title=title or str(starter.title),
            intro=str(starter.intro),
            template_key=starter.key,
            trigger=starter.trigger,
            offset_days=starter.offset_days,
            checkin_every=starter.checkin_every,
            created_by=by,
        )
        Question.objects.bulk_create(
            Question(
                survey=survey,
                text=str(q.text),
                help_text=str(q.help_text),
                kind=q.kind,
                choices=[str(choice) for choice in q.choices],
                is_required=q.is_required,
                audience=q.audience,
                position=position,
            )
            for position, q in enumerate(starter.questions, start=1)
        )
    elif not title:
        raise SurveyError(_("Give the survey a title."))
    else:
        survey = Survey.objects.create(program=program, title=title[:200], created_by=by)
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=survey,
        detail={"change": "create", "starter": survey.template_key},
    )
    return survey


SURVEY_FIELDS = frozenset({"title", "intro", "audience", "is_anonymous"})
SCHEDULE_FIELDS = frozenset(
    {"trigger", "offset_days", "checkin_every", "reminder_count", "reminder_days", "closes_at"}
)


def survey_update(*, survey: Survey, by: User, **fields: Any) -> Survey:
    """Change the title, introduction, audience or anonymity (drafts only)."""
    unknown = set(fields) - SURVEY_FIELDS
    if unknown:
        raise TypeError(f"unexpected survey fields: {sorted(unknown)}")
    check_draft(survey)
    if "audience" in fields and fields["audience"] not in Audience.values:
        raise SurveyError(_("Choose who is asked."))
    if "title" in fields:
        fields["title"] = fields["title"].strip()
        if not fields["title"]:
            raise SurveyError(_("Give the survey a title."))
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save(update_fields=[*sorted(fields), "updated_at"])
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=survey,
        detail={"change": "update", "fields": sorted(fields)},
    )
    return survey


def survey_schedule_set(
    *, survey: Survey, by: User, now: dt.datetime | None = None, **fields: Any
) -> Survey:
    """Set when invitations go out, the reminders and the closing date.

    Allowed while a draft or open; an open survey's closing date must stay ahead.
    """
    unknown = set(fields) - SCHEDULE_FIELDS
    if unknown:
        raise TypeError(f"unexpected schedule fields: {sorted(unknown)}")
    _check_program(survey.program)
    now = now or timezone.now()
    if survey.state == Survey.State.CLOSED:
        raise SurveyError(_("This survey is closed; its schedule can no longer change."))
    if "trigger" in fields and fields["trigger"] not in Survey.Trigger.values:
        raise SurveyError(_("Choose when invitations go out."))
    if not 0 <= fields.get("reminder_count", survey.reminder_count) <= 2:
        raise SurveyError(_("Send at most two reminders."))
    closes_at = fields.get("closes_at", survey.closes_at)
    if survey.state == Survey.State.OPEN and (closes_at is None or closes_at <= now):
        raise SurveyError(_("An open survey needs a closing date in the future."))
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.save(update_fields=[*sorted(fields), "updated_at"])
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=survey,
        detail={"change": "schedule_set", "fields": sorted(fields)},
    )
    return survey


# ------------------------------------------------------------------------------
# Publishing and closing
# ------------------------------------------------------------------------------


def survey_publish_refusal(*, survey: Survey, now: dt.datetime | None = None) -> str:
    """Why this survey cannot be published now, or "" when it can."""
    now = now or timezone.now()
    program = survey.program
    if program.state in (Program.State.DRAFT, Program.State.CLOSED):
        return _("Surveys go out once the program has opened, and until it closes.")
    if survey.state != Survey.State.DRAFT:
        return _("This survey is already published.")
    if not survey.questions.exists():
        return _("Add at least one question first.")
    if survey.closes_at is None or survey.closes_at <= now:
        return _("Set a closing date in the future on the schedule first.")
    trigger = survey.trigger
    if trigger == Survey.Trigger.PROGRAM_START and program.starts_on is None:
        return _("This program has no start date; choose another schedule.")
    if trigger == Survey.Trigger.PROGRAM_END and program.ends_on is None:
        return _("This program has no end date; choose another schedule.")
    return ""


@transaction.atomic
def survey_publish(*, survey: Survey, by: User, now: dt.datetime | None = None) -> Survey:
    """Open the survey: the next sweep invites whoever the schedule says is due
    (at once for "as soon as it is published")."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().select_related("program").get(pk=survey.pk)
    refusal = survey_publish_refusal(survey=survey, now=now)
    if refusal:
        raise SurveyError(refusal)
    survey.state = Survey.State.OPEN
    survey.published_at = now
    survey.save(update_fields=["state", "published_at", "updated_at"])
    audit_record(action=Action.SURVEY_CHANGE, actor=by, target=survey, detail={"change": "publish"})
    survey_id = survey.pk
    transaction.on_commit(lambda: _enqueue_sweep(survey_id))
    return survey


def _enqueue_sweep(survey_id: int) -> None:
    from surveys.tasks import send_survey_invitations_task

    send_survey_invitations_task.delay(survey_id)


@transaction.atomic
def survey_close(*, survey: Survey, by: User | None, now: dt.datetime | None = None) -> Survey:
    """Close the survey: links show a "closed" page; no more invitations or reminders."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.state == Survey.State.CLOSED:
        return survey
    if survey.state == Survey.State.DRAFT:
        raise SurveyError(_("A draft has nothing to close; delete it instead."))
    survey.state = Survey.State.CLOSED
    survey.closed_at = now
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
    survey.save(update_fields=["state", "closed_at", "closes_at", "updated_at"])
    # by is None when the closing date passed: the row then has no actor.
    audit_record(action=Action.SURVEY_CHANGE, actor=by, target=survey, detail={"change": "close"})
    Invitation.objects.filter(survey=survey, next_reminder_at__isnull=False).update(
        next_reminder_at=None
    )
    survey_closed.send(sender=Survey, survey=survey)
    return survey


def survey_delete(*, survey: Survey, by: User) -> None:
    """Delete a draft (published surveys keep their answers)."""
    if survey.state != Survey.State.DRAFT:
        raise SurveyError(_("Only a draft can be deleted; close a published survey instead."))
    audit_record(
        action=Action.SURVEY_CHANGE,
        actor=by,
        target=survey,
        detail={"change": "delete", "program_id": survey.program_id},
    )
    survey.delete()


def survey_is_open(survey: Survey, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        survey.state == Survey.State.OPEN
        and survey.closes_at is not None
        and survey.closes_at > now
    )


# ------------------------------------------------------------------------------
# One-time links
# ------------------------------------------------------------------------------


def new_nonce() -> str:
    return secrets.token_urlsafe(16)[:22]


def invitation_token(invitation: Invitation) -> str:
    """The signed link token: the survey, the invitation and its random nonce."""
    return signing.dumps([invitation.survey_id, invitation.pk, invitation.nonce], salt=LINK_SALT)


class LinkState(StrEnum):
    OK = "ok"
    INVALID = "invalid"  # tampered, unknown, or for another survey
    ANSWERED = "answered"  # used already
    CLOSED = "closed"  # past the closing date, or closed by a coordinator
    SOMEONE_ELSE = "someone_else"  # signed in as another person than the invitee


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    invitation: Invitation | None = None


def invitation_check(
    *, survey_id: int, token: str, user: Any = None, now: dt.datetime | None = None
) -> LinkCheck:
    """What a link leads to: the invitation to answer, or why not."""
    now = now or timezone.now()
    try:
        token_survey, invitation_id, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return LinkCheck(LinkState.INVALID)
    if token_survey != survey_id or not isinstance(invitation_id, int):
        return LinkCheck(LinkState.INVALID)
    invitation = (
        Invitation.objects.select_related("survey__program", "participant")
        .filter(pk=invitation_id, survey_id=survey_id)
        .first()
    )
    if invitation is None or invitation.survey.state == Survey.State.DRAFT:
        return LinkCheck(LinkState.INVALID)
    if invitation.is_answered:
        return LinkCheck(LinkState.ANSWERED, invitation)
    if not nonce or not secrets.compare_digest(str(nonce), invitation.nonce):
        return LinkCheck(LinkState.INVALID)
    if not survey_is_open(invitation.survey, now) or (
        invitation.survey.program.state == Program.State.CLOSED
    ):
        return LinkCheck(LinkState.CLOSED, invitation)
    if invitation.participant.status == Participant.Status.WITHDRAWN:
        return LinkCheck(LinkState.CLOSED, invitation)
    if (
        user is not None
        and getattr(user, "is_authenticated", False)
        and invitation.participant.user_id != user.pk
    ):
        return LinkCheck(LinkState.SOMEONE_ELSE, invitation)
    return LinkCheck(LinkState.OK, invitation)


def questions_for(survey: Survey, role: str) -> list[Question]:
    """The survey's questions for someone of this role, in order."""
    return [q for q in survey.questions.order_by("position", "id") if role in q.roles]


def week_start(moment: dt.datetime) -> dt.date:
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


class AlreadyAnswered(SurveyError):
    pass


def _answer_clean(question: Question, value: Any) -> Any:
    """The stored form of one answer, or None for no answer; raises on a bad value."""
    if value in (None, "", []):
        return None
    kind = question.kind
    if kind in (Question.Kind.RATING, Question.Kind.NPS):
        number = int(value)
        if number not in question.scale:
            raise SurveyError(_("Choose one of the values offered."))
        return number
    if kind == Question.Kind.SINGLE_CHOICE:
        if value not in question.choices:
            raise SurveyError(_("Choose one of the answers offered."))
        return value
    if kind == Question.Kind.MULTI_CHOICE:
        picked = [choice for choice in question.choices if choice in set(value)]
        if len(picked) != len(set(value)):
            raise SurveyError(_("Choose among the answers offered."))
        return picked
    text = str(value).strip()
    return text[:TEXT_ANSWER_MAX] or None


def response_submit(
    *, invitation: Invitation, answers: Mapping[int, Any], now: dt.datetime | None = None
) -> Response:
    """Store one person's answers for this invitation, once.

    The invitation is claimed by a conditional UPDATE (still unanswered, nonce still
    the one loaded) in the transaction that writes the response, so a second
    submission, even a concurrent one, finds nothing to claim. For an anonymous
    survey the response keeps nothing that leads back to the invitation: its receipt
    is random (see surveys.models).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Invitation.objects.select_related("survey__program", "participant")
            .filter(pk=invitation.pk)
            .first()
        )
        if locked is None or locked.is_answered or not locked.nonce:
            raise AlreadyAnswered(_("This invitation has been answered already."))
        survey = locked.survey
        if not survey_is_open(survey, now):
            raise SurveyError(_("This survey has closed."))
        questions = questions_for(survey, locked.role)
        cleaned: dict[int, Any] = {}
        for question in questions:
            value = _answer_clean(question, answers.get(question.pk))
            if value is None:
                if question.is_required:
                    raise SurveyError(_("Answer every required question."))
                continue
            cleaned[question.pk] = value
        week = week_start(now)
        if survey.is_anonymous:
            # Only the week, on both sides; and a receipt nobody can recompute.
            answered_at = dt.datetime.combine(week, dt.time(), tzinfo=dt.UTC)
            response = Response(
                survey=survey, role=locked.role, receipt=secrets.token_hex(32), week_on=week
            )
        else:
            answered_at = now
            response = Response(
                survey=survey,
                role=locked.role,
                receipt=f"invitation:{locked.pk}",
                participant=locked.participant,
                submitted_at=now,
                week_on=week,
            )
        claimed = Invitation.objects.filter(
            pk=locked.pk, answered_at__isnull=True, nonce=locked.nonce
        ).update(answered_at=answered_at, nonce="", next_reminder_at=None)
        if claimed != 1:
            raise AlreadyAnswered(_("This invitation has been answered already."))
        try:
            with transaction.atomic():
                response.save()
        except IntegrityError:
            raise AlreadyAnswered(_("This invitation has been answered already.")) from None
        Answer.objects.bulk_create(
            Answer(response=response, question_id=pk, value=value) for pk, value in cleaned.items()
        )
    return response
