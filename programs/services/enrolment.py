"""Enrolment: invitations (sent by the sweep), accepting them, joining by link, and
what coordinators may change about a participant."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.audit import Action, audit_record
from mentoring.emails import absolute_url, email_send
from mentoring.models import Delivery, User
from mentoring.sweeps import SweepResult, claim_and_send
from mentoring.throttle import throttle_hit
from programs import tasks
from programs.models import Participant, Program
from programs.profiles.completeness import participant_completeness_refresh
from programs.services.base import INVITE_SALT, INVITE_VALID_FOR, ProgramError
from programs.services.profiles import profile_seed
from programs.signals import participants_enrolled

# ------------------------------------------------------------------------------
# Enrolment
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    email: str
    role: str
    full_name: str = ""
    department: str = ""
    job_title: str = ""
    manager_email: str = ""
    location: str = ""
    time_zone: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def invite_token_make(participant: Participant) -> str:
    return signing.dumps([participant.pk, participant.invite_nonce], salt=INVITE_SALT)


def invite_token_participant(token: str) -> Participant:
    """The invited participant a link is for; ProgramError if it is not (or no longer) valid."""
    try:
        participant_id, nonce = signing.loads(token, salt=INVITE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise ProgramError(_("This invitation link is not valid.")) from None
    participant = Participant.objects.select_related("program").filter(pk=participant_id).first()
    if participant is None or not nonce or participant.invite_nonce != nonce:
        raise ProgramError(
            _("This invitation link has already been used or was replaced by a newer one.")
        )
    if participant.invite_expires_at and participant.invite_expires_at < timezone.now():
        raise ProgramError(_("This invitation has expired. Ask the coordinator for a new one."))
    if participant.program.state == Program.State.CLOSED:
        raise ProgramError(_("This program has closed."))
    return participant


def _new_invitation(participant: Participant, *, by: User | None, now: dt.datetime) -> None:
    participant.invite_nonce = secrets.token_urlsafe(16)
    participant.invite_expires_at = now + INVITE_VALID_FOR
    participant.invited_at = None
    participant.invited_by = by


@transaction.atomic
def participants_invite(
    *, program: Program, invitees: Sequence[Invitee], by: User
) -> list[Participant]:
    """Enrol people as invited and email each a one-time link once this commits.

    Everyone is invited or nobody is: someone already in the program is an error.
    Existing accounts are linked by email address (any case).
    """
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program cannot take new participants."))
    if program.state == Program.State.DRAFT:
        # Invitees could not see a draft: open enrolment first, then invite.
        raise ProgramError(_("Open enrolment before inviting people: this program is a draft."))
    emails = [invitee.email.strip().lower() for invitee in invitees]
    taken = set(
        Participant.objects.filter(program=program)
        .filter(email__in=emails)
        .values_list("email", flat=True)
    )
    # Emails are stored lowercased; iexact would cost a query per person.
    if taken:
        raise ProgramError(
            _("Already in this program: %(emails)s.") % {"emails": ", ".join(sorted(taken))}
        )
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    now = timezone.now()
    participants = []
    for invitee, email in zip(invitees, emails, strict=True):
        participant = Participant(
            program=program,
            user=users.get(email),
            role=invitee.role,
            status=Participant.Status.INVITED,
            email=email,
            full_name=invitee.full_name.strip(),
            department=invitee.department.strip(),
            job_title=invitee.job_title.strip(),
            manager_email=invitee.manager_email.strip().lower(),
            location=invitee.location.strip(),
            time_zone=invitee.time_zone.strip(),
        )
        _new_invitation(participant, by=by, now=now)
        participants.append(participant)
    created = Participant.objects.bulk_create(participants, batch_size=1000)
    ids = [p.pk for p in created]
    transaction.on_commit(lambda: _enqueue_invitations(ids))
    participants_enrolled.send(sender=Program, program=program, participants=created)
    # One row for the batch; the people are in the program's participant list.
    audit_record(
        action=Action.PARTICIPANT_CHANGE,
        actor=by,
        target=program,
        detail={"change": "invite", "invited": len(created)},
    )
    return created


def _enqueue_invitations(participant_ids: list[int]) -> None:
    # Bounded batches: one task per 200 invitations keeps each task short.
    for start in range(0, len(participant_ids), 200):
        tasks.send_invitations_task.delay(participant_ids[start : start + 200])


@transaction.atomic
def participant_invitation_resend(*, participant: Participant, by: User) -> None:
    """A new link by email (the old one stops working), within the hourly limits.

    Limits per invitee (nobody's inbox is flooded) and per coordinator (nobody sends
    mail in bulk one click at a time): INVITATION_RESENDS_PER_INVITEE_PER_HOUR and
    INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR.
    """
    if participant.status != Participant.Status.INVITED:
        raise ProgramError(_("Only people who have not accepted yet can be invited again."))
    per_invitee = settings.INVITATION_RESENDS_PER_INVITEE_PER_HOUR
    if not throttle_hit(f"resend-to:{participant.pk}", limit=per_invitee, window=3600).allowed:
        raise ProgramError(
            _(
                "%(email)s has already been sent %(count)d invitations in the last hour; "
                "try again later, or check the address."
            )
            % {"email": participant.email, "count": per_invitee}
        )
    per_coordinator = settings.INVITATION_RESENDS_PER_COORDINATOR_PER_HOUR
    if not throttle_hit(f"resend-by:{by.pk}", limit=per_coordinator, window=3600).allowed:
        raise ProgramError(
            _(
                "You have resent %(count)d invitations in the last hour, the most allowed; "
                "try again later."
            )
            % {"count": per_coordinator}
        )
    _new_invitation(participant, by=by, now=timezone.now())
    participant.save(
        update_fields=[
            "invite_nonce",
            "invite_expires_at",
            "invited_at",
            "invited_by",
            "updated_at",
        ]
    )
    audit_record(
        action=Action.PARTICIPANT_CHANGE,
        actor=by,
        target=participant,
        detail={"change": "invitation_resend"},
    )
    ids = [participant.pk]
    transaction.on_commit(lambda: _enqueue_invitations(ids))


DELIVERY_INVITATION = "invitation"
# A sweep stops early after this many sends in a row failed: the mail server is down,
# and the rest waits for the next sweep instead of failing one by one.
INVITATION_FAILURES_IN_A_ROW = 3


def _invitation_due(
    participants: QuerySet[Participant], *, now: dt.datetime
) -> QuerySet[Participant]:
    """Invitations the database says are still to send: made, not sent, still valid.

    This is the whole "to send" state (no task carries it): the sweep finds it again
    whatever happened to the tasks queued after the invitations were made.
    """
    return (
        participants.filter(status=Participant.Status.INVITED, invited_at__isnull=True)
        .exclude(invite_nonce="")
        .exclude(invite_expires_at__lte=now)
        .exclude(program__state=Program.State.CLOSED)
    )


def _invitation_email(participant: Participant) -> bool:
    """Email one locked, due invitation unless it went out already; mark it sent.

    The unique Delivery ``invitation:<id>:<nonce>`` is written before the email goes
    out, then ``invited_at`` is set, and the sweep commits all at once
    (docs/outbound.md). A failed send rolls all back, so a later sweep sends it; a
    sender that dies mid-send leaves nothing claimed. A new link (resend) has a new
    nonce, so it is a new delivery.
    """
    key = f"{participant.pk}:{participant.invite_nonce}"
    claimed = Delivery.objects.claim(kind=DELIVERY_INVITATION, key=key)
    if claimed:
        link = absolute_url(
            reverse("programs:invitation_accept", args=[invite_token_make(participant)])
        )
        email_send(
            to=[participant.email],
            template="programs/invitation",
            context={
                "participant": participant,
                "program": participant.program,
                "link": link,
                "inviter": participant.invited_by,
                "expires_at": participant.invite_expires_at,
            },
        )
    # Not claimed: this link went out before; record it, so no sweep finds it again.
    participant.invited_at = timezone.now()
    participant.save(update_fields=["invited_at"])
    return claimed


def invitations_sweep(
    *,
    participant_ids: Sequence[int] | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> SweepResult:
    """The invitation sweep: send every due invitation (of these people, when given),
    at most ``limit`` (INVITATION_SWEEP_BATCH), oldest first.

    Run by beat every INVITATION_SWEEP_INTERVAL seconds and by the batch tasks queued
    after each enrolment (for their own ids, a shortcut that saves waiting for beat).
    Safe to run twice and in parallel: each invitation is claimed in its own
    transaction (mentoring.sweeps.claim_and_send). A failed send is logged and left
    due for the next sweep.
    """
    now = now or timezone.now()
    due = _invitation_due(Participant.objects.all(), now=now)
    if participant_ids is not None:
        due = due.filter(pk__in=list(participant_ids))
    return claim_and_send(
        due,
        order_by=("pk",),
        send_one=_invitation_email,
        batch=limit or settings.INVITATION_SWEEP_BATCH,
        batches=1,
        select_related=("program", "invited_by"),
        label="Invitation",
        give_up_after=INVITATION_FAILURES_IN_A_ROW,
    )


def invitations_send(
    *,
    participant_ids: Sequence[int] | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """:func:`invitations_sweep`; how many invitations went out now."""
    return invitations_sweep(participant_ids=participant_ids, limit=limit, now=now).sent


def invitation_send(*, participant_id: int, now: dt.datetime | None = None) -> bool:
    """Email one invitation unless it went out already. True when it was sent now."""
    return invitations_send(participant_ids=[participant_id], now=now) == 1


@transaction.atomic
def participant_invitation_accept(*, token: str, user: User) -> Participant:
    """Bind an invitation to the signed-in person and make them active. Works once."""
    participant = invite_token_participant(token)
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.invite_nonce == "":
        raise ProgramError(_("This invitation link has already been used."))
    if participant.user_id and participant.user_id != user.pk:
        raise ProgramError(_("This invitation belongs to another account."))
    other = (
        Participant.objects.filter(program_id=participant.program_id, user=user)
        .exclude(pk=participant.pk)
        .first()
    )
    if other is not None:
        raise ProgramError(_("You are already in this program."))
    participant.user = user
    participant.invite_nonce = ""
    participant.status = Participant.Status.ACTIVE
    participant.joined_at = timezone.now()
    participant.save(update_fields=["user", "invite_nonce", "status", "joined_at", "updated_at"])
    profile_seed(user=user, participant=participant)
    _completeness_refresh(participant)
    return participant


@transaction.atomic
def participant_join_by_link(*, program: Program, token: str, user: User, role: str) -> Participant:
    """Someone with the program's shareable link asks to join in a role."""
    if not program.join_token or not secrets.compare_digest(program.join_token, token):
        raise ProgramError(_("This join link is not valid any more."))
    if program.state not in (
        Program.State.ENROLLING,
        Program.State.MATCHING,
        Program.State.RUNNING,
    ):
        raise ProgramError(_("This program is not taking new participants right now."))
    if role not in Participant.Role.values:
        raise ProgramError(_("Choose whether you join as a mentor or as a mentee."))
    email = user.email.lower()
    existing = (
        Participant.objects.filter(program=program).filter(Q(user=user) | Q(email=email)).first()
    )
    if existing is not None:
        raise ProgramError(_("You are already in this program."))
    status = (
        Participant.Status.APPLIED if program.join_requires_approval else Participant.Status.ACTIVE
    )
    participant = Participant.objects.create(
        program=program,
        user=user,
        role=role,
        status=status,
        email=email,
        full_name=user.full_name,
        joined_at=None if status == Participant.Status.APPLIED else timezone.now(),
    )
    profile_seed(user=user, participant=participant)
    _completeness_refresh(participant)
    participants_enrolled.send(sender=Program, program=program, participants=[participant])
    return participant


def _completeness_refresh(participant: Participant) -> None:
    # The profile may be complete already (filled in for another program).
    participant_completeness_refresh(participant=participant)


# Which status changes a coordinator may make.
PARTICIPANT_TRANSITIONS: dict[str, frozenset[str]] = {
    Participant.Status.APPLIED: frozenset(
        {Participant.Status.ACTIVE, Participant.Status.WITHDRAWN}
    ),
    Participant.Status.INVITED: frozenset({Participant.Status.WITHDRAWN}),
    Participant.Status.ACTIVE: frozenset({Participant.Status.PAUSED, Participant.Status.WITHDRAWN}),
    Participant.Status.PAUSED: frozenset({Participant.Status.ACTIVE, Participant.Status.WITHDRAWN}),
    Participant.Status.WITHDRAWN: frozenset(),
}


@transaction.atomic
def participant_status_set(*, participant: Participant, status: str, by: User) -> Participant:
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if status not in PARTICIPANT_TRANSITIONS.get(locked.status, frozenset()):
        raise ProgramError(
            _("A participant cannot go from %(from)s to %(to)s.")
            % {
                "from": Participant.Status(locked.status).label,
                "to": Participant.Status(status).label
                if status in Participant.Status.values
                else status,
            }
        )
    fields = ["status", "updated_at"]
    if locked.status == Participant.Status.APPLIED and status == Participant.Status.ACTIVE:
        locked.joined_at = timezone.now()
        fields.append("joined_at")
    if status == Participant.Status.WITHDRAWN:
        # A withdrawn invitation's link must stop working.
        locked.invite_nonce = ""
        fields.append("invite_nonce")
    audit_record(
        action=Action.PARTICIPANT_CHANGE,
        actor=by,
        target=locked,
        detail={"change": "status_set", "from": locked.status, "to": status},
    )
    locked.status = status
    locked.save(update_fields=fields)
    return locked


# What a coordinator may correct about someone they enrolled (their own profile wins
# once it exists, as for invitations).
PARTICIPANT_EDITABLE_FIELDS = frozenset(
    {"full_name", "department", "job_title", "manager_email", "location", "time_zone"}
)


def participant_update(*, participant: Participant, by: User, **fields: str) -> Participant:
    unknown = set(fields) - PARTICIPANT_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"participant_update() got unexpected fields: {sorted(unknown)}")
    if participant.program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))
    for name, value in fields.items():
        value = value.strip()
        setattr(participant, name, value.lower() if name == "manager_email" else value)
    participant.save(update_fields=[*fields, "updated_at"])
    audit_record(
        action=Action.PARTICIPANT_CHANGE,
        actor=by,
        target=participant,
        detail={"change": "update", "fields": sorted(fields)},
    )
    return participant


def mentor_capacity_set(*, participant: Participant, capacity: int | None, by: User) -> None:
    if participant.role != Participant.Role.MENTOR:
        raise ProgramError(_("Only mentors have a capacity."))
    if capacity is not None and not 0 <= capacity <= 50:
        raise ProgramError(_("Capacity must be between 0 and 50."))
    participant.capacity = capacity
    participant.save(update_fields=["capacity", "updated_at"])
    audit_record(
        action=Action.PARTICIPANT_CHANGE,
        actor=by,
        target=participant,
        detail={"change": "capacity_set", "capacity": capacity},
    )
