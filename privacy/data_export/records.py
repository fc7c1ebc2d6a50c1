"""One reader per kind of record a person has: each yields plain dicts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import Q

from events.models import EventRsvp
from guides.models import ResourceView
from integrations.models import ApiToken, ChatPreference
from matching.models import MatchRequest
from mentoring.models import AuditEvent, Delivery, NotificationPreference, User
from pairs.models import CheckIn, Mentorship, Milestone, PairGoal, PairReminder
from programs.models import (
    CalendarFeed,
    Participant,
    Profile,
    ProfileAnswer,
    Program,
)
from surveys.models import Answer, Invitation, Response

FORMAT_VERSION = 1
# Rows read from the database per round trip while streaming a section.
CHUNK = 500
# The response is written in pieces of about this many characters.
FLUSH_AT = 64 * 1024

Section = tuple[str, Callable[[], Any], bool]  # (key, producer, is_list)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _participant_filter(user: User) -> Q:
    # Enrolments made by email before the person had an account are theirs too.
    return Q(user=user) | Q(user__isnull=True, email__iexact=user.email)


def _partner_name(participant: Participant) -> str:
    # Partners appear by name only: no address, no profile.
    if participant.user is not None:
        return participant.user.display_name
    return participant.display_name


# -- sections -------------------------------------------------------------------------


def account_records(user: User) -> dict[str, Any]:
    emails = [
        {"email": e.email, "verified": e.verified, "primary": e.primary}
        for e in EmailAddress.objects.filter(user=user).order_by("pk")
    ]
    sso = [
        {"provider": a.provider, "date_joined": _iso(a.date_joined)}
        for a in SocialAccount.objects.filter(user=user).order_by("pk")
    ]
    second_factors = [
        {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
        for a in Authenticator.objects.filter(user=user).order_by("pk")
    ]
    coordinates = list(
        Program.objects.filter(coordinators=user).order_by("pk").values("id", "name")
    )
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "preferred_name": user.preferred_name,
        "time_zone": user.time_zone,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "site_roles": {
            "coordinator": user.is_coordinator,
            "hr_viewer": user.is_hr_viewer,
            "site_admin": user.is_staff,
        },
        "email_addresses": emails,
        "single_sign_on": sso,
        "two_step_sign_in": second_factors,
        "programs_coordinated": coordinates,
    }


def profile_records(user: User) -> dict[str, Any] | None:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return None
    return {
        "job_title": profile.job_title,
        "department": profile.department,
        "location": profile.location,
        "manager_email": profile.manager_email,
        "seniority": profile.get_seniority_display() if profile.seniority else None,
        "languages": profile.languages,
        "skills": profile.skills,
        "interests": profile.interests,
        "career_aspirations": profile.career_aspirations,
        "bio": profile.bio,
        "gender": profile.gender,
        "ethnicity": profile.ethnicity,
        "demographics_consent_at": _iso(profile.demographics_consent_at),
        "updated_at": _iso(profile.updated_at),
    }


def participations(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Participant.objects.filter(_participant_filter(user))
        .select_related("program")
        .order_by("pk")
    )
    for p in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": p.pk,
            "program": {"id": p.program_id, "name": p.program.name},
            "role": p.role,
            "status": p.status,
            "email": p.email,
            "full_name": p.full_name,
            "department": p.department,
            "job_title": p.job_title,
            "manager_email": p.manager_email,
            "location": p.location,
            "time_zone": p.time_zone,
            "capacity": p.capacity,
            "invited_at": _iso(p.invited_at),
            "joined_at": _iso(p.joined_at),
            "profile_completed_at": _iso(p.profile_completed_at),
            "rematch_requested_at": _iso(p.rematch_requested_at),
        }


def profile_answers(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        ProfileAnswer.objects.filter(
            participant__in=Participant.objects.filter(_participant_filter(user))
        )
        .select_related("question")
        .order_by("participant_id", "question__position", "pk")
    )
    for a in rows.iterator(chunk_size=CHUNK):
        yield {
            "participant": a.participant_id,
            "question": a.question.text,
            "value": a.value,
            "updated_at": _iso(a.updated_at),
        }


def _my_mentorships(user: User) -> Any:
    # By enrolment ids (see pairs.mentorships.mentorship_list_for for why).
    mine = list(Participant.objects.filter(user=user).values_list("pk", flat=True))
    return Mentorship.objects.filter(Q(mentor__in=mine) | Q(mentee__in=mine))


def mentorships(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        _my_mentorships(user)
        .select_related("program", "mentor__user", "mentee__user", "agreement")
        .order_by("pk")
    )
    for m in rows.iterator(chunk_size=CHUNK):
        mine_is_mentor = m.mentor.user_id == user.pk
        partner = m.mentee if mine_is_mentor else m.mentor
        agreement = getattr(m, "agreement", None)
        yield {
            "id": m.pk,
            "program": {"id": m.program_id, "name": m.program.name},
            "your_role": Participant.Role.MENTOR if mine_is_mentor else Participant.Role.MENTEE,
            "partner": _partner_name(partner),
            "state": m.state,
            "source": m.source,
            "score": m.score,
            "why_matched": m.explanation,
            "started_at": _iso(m.started_at),
            "ended_at": _iso(m.ended_at),
            "end_reason": m.end_reason,
            "agreement": None
            if agreement is None
            else {
                "expectations": agreement.expectations,
                "mentor_accepted_at": _iso(agreement.mentor_accepted_at),
                "mentee_accepted_at": _iso(agreement.mentee_accepted_at),
            },
        }


def checkins(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        CheckIn.objects.filter(mentorship__in=_my_mentorships(user))
        .select_related("mentorship__mentor")
        .order_by("mentorship_id", "scheduled_at", "pk")
    )
    for c in rows.iterator(chunk_size=CHUNK):
        mine_is_mentor = c.mentorship.mentor.user_id == user.pk
        yield {
            "id": c.pk,
            "mentorship": c.mentorship_id,
            "status": c.status,
            "scheduled_at": _iso(c.scheduled_at),
            "duration_minutes": c.duration_minutes,
            "location": c.location,
            "video_url": c.video_url,
            "proposed_by_you": c.proposed_by_id == user.pk,
            # The pair's own record: both of them may read it.
            "topics": c.topics,
            "notes": c.notes,
            "goal_progress": c.goal_progress,
            # Each rating is its giver's: only yours is included.
            "your_rating": c.mentor_rating if mine_is_mentor else c.mentee_rating,
            "you_logged_at": _iso(c.mentor_logged_at if mine_is_mentor else c.mentee_logged_at),
            "logged_at": _iso(c.logged_at),
            "cancelled_at": _iso(c.cancelled_at),
        }


def pair_goals(user: User) -> Iterator[dict[str, Any]]:
    rows = PairGoal.objects.filter(mentorship__in=_my_mentorships(user)).order_by(
        "mentorship_id", "position", "pk"
    )
    for g in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": g.pk,
            "mentorship": g.mentorship_id,
            "title": g.title,
            "description": g.description,
            "status": g.status,
            "progress": g.progress,
            "created_by_you": g.created_by_id == user.pk,
            "created_at": _iso(g.created_at),
        }


def milestones(user: User) -> Iterator[dict[str, Any]]:
    rows = Milestone.objects.filter(goal__mentorship__in=_my_mentorships(user)).order_by(
        "goal_id", "position", "pk"
    )
    for m in rows.iterator(chunk_size=CHUNK):
        yield {
            "goal": m.goal_id,
            "title": m.title,
            "due_on": _iso(m.due_on),
            "done_at": _iso(m.done_at),
        }


def match_requests(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        MatchRequest.objects.filter(Q(mentee__user=user) | Q(mentor__user=user))
        .select_related("program", "mentee__user", "mentor__user")
        .order_by("pk")
    )
    for r in rows.iterator(chunk_size=CHUNK):
        as_mentee = r.mentee.user_id == user.pk
        yield {
            "id": r.pk,
            "program": {"id": r.program_id, "name": r.program.name},
            "your_role": Participant.Role.MENTEE if as_mentee else Participant.Role.MENTOR,
            "other_person": _partner_name(r.mentor if as_mentee else r.mentee),
            "rank": r.rank if as_mentee else None,
            "state": r.state,
            "message": r.message,
            "decline_note": r.decline_note,
            "created_at": _iso(r.created_at),
            "answered_at": _iso(r.answered_at),
        }


def _my_participants(user: User) -> Any:
    return Participant.objects.filter(_participant_filter(user))


def survey_invitations(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Invitation.objects.filter(participant__in=_my_participants(user))
        .select_related("survey")
        .order_by("pk")
    )
    for i in rows.iterator(chunk_size=CHUNK):
        yield {
            "survey": {"id": i.survey_id, "title": i.survey.title},
            "anonymous": i.survey.is_anonymous,
            "sent_at": _iso(i.sent_at),
            "reminders_sent": i.reminders_sent,
            # For anonymous surveys only the week is known: the answer itself is not linked.
            "answered_at": _iso(i.answered_at),
        }


def survey_responses(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Response.objects.filter(participant__in=_my_participants(user), survey__is_anonymous=False)
        .select_related("survey")
        .order_by("pk")
    )
    for r in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": r.pk,
            "survey": {"id": r.survey_id, "title": r.survey.title},
            "role": r.role,
            "submitted_at": _iso(r.submitted_at),
        }


def survey_answers(user: User) -> Iterator[dict[str, Any]]:
    rows = (
        Answer.objects.filter(
            response__participant__in=_my_participants(user),
            response__survey__is_anonymous=False,
        )
        .select_related("question")
        .order_by("response_id", "question__position", "pk")
    )
    for a in rows.iterator(chunk_size=CHUNK):
        yield {"response": a.response_id, "question": a.question.text, "value": a.value}


def event_rsvps(user: User) -> Iterator[dict[str, Any]]:
    rows = EventRsvp.objects.filter(user=user).select_related("event").order_by("pk")
    for r in rows.iterator(chunk_size=CHUNK):
        yield {
            "event": {"id": r.event_id, "title": r.event.title},
            "starts_at": _iso(r.event.starts_at),
            "status": r.status,
            "waitlisted_at": _iso(r.waitlisted_at),
            "attended": r.attended,
            "answered_at": _iso(r.created_at),
        }


def resource_views(user: User) -> Iterator[dict[str, Any]]:
    rows = ResourceView.objects.filter(user=user).select_related("resource").order_by("pk")
    for v in rows.iterator(chunk_size=CHUNK):
        yield {"resource": v.resource.title, "viewed_at": _iso(v.viewed_at)}


def preferences_records(user: User) -> dict[str, Any]:
    emails = {
        p.kind: p.enabled for p in NotificationPreference.objects.filter(user=user).order_by("kind")
    }
    chat = ChatPreference.objects.filter(user=user).first()
    feed = CalendarFeed.objects.filter(user=user).first()
    return {
        "emails": emails,
        "reminders_to_chat": chat.reminders_to_chat if chat else False,
        # Only that the private calendar address exists: it is a secret, like a password.
        "calendar_feed_created_at": _iso(feed.created_at) if feed else None,
    }


def api_tokens(user: User) -> Iterator[dict[str, Any]]:
    for t in ApiToken.objects.filter(owner=user).order_by("pk").iterator(chunk_size=CHUNK):
        yield {
            "name": t.name,
            "scopes": t.scopes,
            "created_at": _iso(t.created_at),
            "expires_at": _iso(t.expires_at),
            "last_used_at": _iso(t.last_used_at),
            "revoked_at": _iso(t.revoked_at),
        }


def audit_events(user: User) -> Iterator[dict[str, Any]]:
    rows = AuditEvent.objects.filter(
        Q(actor_id=user.pk)
        | Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(actor__isnull=True, actor_email__iexact=user.email)
    ).order_by("at", "pk")
    for e in rows.iterator(chunk_size=CHUNK):
        yield {
            "at": _iso(e.at),
            "action": e.action,
            "by_you": e.actor_id == user.pk,
            "target": f"{e.target_type}:{e.target_id}" if e.target_type else "",
            "detail": e.detail,
            "ip": e.ip,
        }


def _delivery_filter(user: User) -> Q:
    """What was emailed to this person, from the keys each sender writes (see the
    ``Delivery.objects.claim`` calls): keys ending in the user's id, pair reminders
    keyed by recipient, event reminders by event and user, and notices about their own
    rows (survey invitations and reminders, event answers, self-match requests,
    introductions). Four small id queries, whatever the number of deliveries."""
    uid = user.pk
    participants = list(_my_participants(user).values_list("pk", flat=True))
    invitations = [
        str(pk)
        for pk in Invitation.objects.filter(participant__in=participants).values_list(
            "pk", flat=True
        )
    ]
    requests = [
        str(pk)
        for pk in MatchRequest.objects.filter(
            Q(mentee__in=participants) | Q(mentor__in=participants)
        ).values_list("pk", flat=True)
    ]
    rsvps = [str(pk) for pk in EventRsvp.objects.filter(user=user).values_list("pk", flat=True)]
    mine = set(participants)
    pairs = [
        f"{m}:{mentor if mentor in mine else mentee}"
        for m, mentor, mentee in Mentorship.objects.filter(
            Q(mentor__in=participants) | Q(mentee__in=participants)
        ).values_list("pk", "mentor_id", "mentee_id")
    ]
    found = (
        Q(kind__startswith="pair-", key__startswith=f"{uid}:")
        | Q(
            kind__in=["checkin-notice", "event-change", "progress-weekly", "progress-monthly"],
            key__endswith=f":{uid}",
        )
        | Q(kind="event-reminder", key__regex=rf"^[0-9]+:{uid}:")
        | Q(kind="survey-invitation", key__in=invitations)
        | Q(kind="survey-reminder", key__in=[f"{i}:{n}" for i in invitations for n in (1, 2)])
        | Q(kind="match-introduction", key__in=pairs)
    )
    if requests:
        found |= Q(kind="match-request", key__regex=rf"^({'|'.join(requests)}):")
    if rsvps:
        found |= Q(kind="event-rsvp", key__regex=rf"^({'|'.join(rsvps)}):")
    return found


def deliveries(user: User) -> Iterator[dict[str, Any]]:
    rows = Delivery.objects.filter(_delivery_filter(user)).order_by("sent_at", "pk")
    for d in rows.iterator(chunk_size=CHUNK):
        yield {"kind": d.kind, "sent_at": _iso(d.sent_at)}
    reminders = PairReminder.objects.filter(recipient=user).order_by("due_at", "pk")
    for r in reminders.iterator(chunk_size=CHUNK):
        yield {
            "kind": f"pair-{r.kind}",
            "due_at": _iso(r.due_at),
            "state": r.state,
            "finished_at": _iso(r.finished_at),
        }
