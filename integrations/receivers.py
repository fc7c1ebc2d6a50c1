"""Turn what programs, matching and surveys announce into webhook events.

Connected when the app is ready (IntegrationsConfig.ready). Each receiver runs
inside the sender's transaction and only records deliveries; they go out after
commit. Payloads carry ids, states, dates and counts: never a pair's notes, topics,
ratings or goals, nor anyone's survey answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.dispatch import receiver
from django.urls import reverse

from integrations.models import WebhookEndpoint
from integrations.webhooks import events_emit
from matching.signals import match_published
from mentoring.emails import absolute_url
from pairs.models import CheckIn, Mentorship
from pairs.signals import checkin_logged, mentorship_ended, mentorships_completed
from programs.models import Participant, Program
from programs.signals import participants_enrolled
from surveys.models import Survey
from surveys.results import response_counts
from surveys.signals import survey_closed

Event = WebhookEndpoint.Event


def participant_data(participant: Participant) -> dict[str, Any]:
    return {
        "participant": {
            "id": participant.pk,
            "email": participant.email,
            "full_name": participant.full_name,
            "role": participant.role,
            "status": participant.status,
            "department": participant.department,
        }
    }


def mentorship_data(mentorship: Mentorship) -> dict[str, Any]:
    return {
        "mentorship": {
            "id": mentorship.pk,
            "mentor_participant_id": mentorship.mentor_id,
            "mentee_participant_id": mentorship.mentee_id,
            "state": mentorship.state,
            "started_at": mentorship.started_at.isoformat(),
            "ended_at": mentorship.ended_at.isoformat() if mentorship.ended_at else None,
            "end_reason": mentorship.end_reason,
        }
    }


def checkin_data(checkin: CheckIn) -> dict[str, Any]:
    """When and whether a pair met, and for how long; nothing they wrote."""
    mentorship = checkin.mentorship
    return {
        "checkin": {
            "id": checkin.pk,
            "mentorship_id": checkin.mentorship_id,
            "mentor_participant_id": mentorship.mentor_id,
            "mentee_participant_id": mentorship.mentee_id,
            "status": checkin.status,
            "scheduled_at": checkin.scheduled_at.isoformat(),
            "duration_minutes": checkin.duration_minutes,
            "logged_at": checkin.logged_at.isoformat() if checkin.logged_at else None,
        }
    }


def survey_data(survey: Survey) -> dict[str, Any]:
    """The survey and its response counts as its results page shows them (suppressed)."""
    counts = response_counts(survey=survey)
    return {
        "survey": {
            "id": survey.pk,
            "title": survey.title,
            "is_anonymous": survey.is_anonymous,
            "audience": survey.audience,
            "published_at": survey.published_at.isoformat() if survey.published_at else None,
            "closed_at": survey.closed_at.isoformat() if survey.closed_at else None,
            "minimum_group_size": counts.minimum,
            "invited": counts.invited,
            # null when fewer people answered than the minimum group size.
            "answered": counts.answered,
            "response_rate": counts.rate,
            "results_url": absolute_url(
                reverse("surveys:survey_results", args=[survey.program_id, survey.pk])
            ),
        }
    }


@receiver(participants_enrolled, dispatch_uid="integrations.participants_enrolled")
def on_participants_enrolled(
    sender: type[Program], *, program: Program, participants: Sequence[Participant], **kwargs: Any
) -> None:
    events_emit(
        program=program,
        event=Event.PARTICIPANT_ENROLLED,
        items=lambda: [participant_data(p) for p in participants],
    )


@receiver(mentorship_ended, dispatch_uid="integrations.mentorship_ended")
def on_mentorship_ended(
    sender: type[Program], *, program: Program, mentorship: Mentorship, **kwargs: Any
) -> None:
    events_emit(program=program, event=Event.MENTORSHIP_ENDED, items=[mentorship_data(mentorship)])


@receiver(mentorships_completed, dispatch_uid="integrations.mentorships_completed")
def on_mentorships_completed(
    sender: type[Program], *, program: Program, mentorship_ids: Sequence[int], **kwargs: Any
) -> None:
    """A closing program completes its pairs: one mentorship.ended event per pair."""
    events_emit(
        program=program,
        event=Event.MENTORSHIP_ENDED,
        items=lambda: [
            mentorship_data(m)
            for m in Mentorship.objects.filter(pk__in=mentorship_ids).order_by("pk")
        ],
    )


@receiver(checkin_logged, dispatch_uid="integrations.checkin_logged")
def on_checkin_logged(
    sender: type[Program], *, program: Program, checkin: CheckIn, **kwargs: Any
) -> None:
    events_emit(program=program, event=Event.CHECKIN_LOGGED, items=lambda: [checkin_data(checkin)])


@receiver(survey_closed, dispatch_uid="integrations.survey_closed")
def on_survey_closed(sender: type[Survey], *, survey: Survey, **kwargs: Any) -> None:
    events_emit(
        program=survey.program, event=Event.SURVEY_CLOSED, items=lambda: [survey_data(survey)]
    )


@receiver(match_published, dispatch_uid="integrations.match_published")
def on_match_published(
    sender: type[Program],
    *,
    program: Program,
    run: Any,
    mentorship_ids: Sequence[int],
    **kwargs: Any,
) -> None:
    def items() -> list[dict[str, Any]]:
        pairs = Mentorship.objects.filter(pk__in=mentorship_ids).order_by("pk")
        return [
            {
                # None when a mentor accepted a mentee's request (no match run).
                "match_run_id": run.pk if run is not None else None,
                "mentorships": [
                    {
                        "id": m.pk,
                        "mentor_participant_id": m.mentor_id,
                        "mentee_participant_id": m.mentee_id,
                        "score": m.score,
                        "source": m.source,
                    }
                    for m in pairs
                ],
            }
        ]

    events_emit(program=program, event=Event.MATCH_PUBLISHED, items=items)
