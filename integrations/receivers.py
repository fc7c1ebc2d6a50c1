"""Turn what programs and matching announce into webhook events.

Connected when the app is ready (IntegrationsConfig.ready). Each receiver runs
inside the sender's transaction and only records deliveries; they go out after
commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.dispatch import receiver

from integrations.models import WebhookEndpoint
from integrations.webhooks import events_emit
from matching.signals import match_published
from programs.models import Mentorship, Participant, Program
from programs.signals import mentorship_ended, participants_enrolled

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
                "match_run_id": run.pk,
                "mentorships": [
                    {
                        "id": m.pk,
                        "mentor_participant_id": m.mentor_id,
                        "mentee_participant_id": m.mentee_id,
                        "score": m.score,
                    }
                    for m in pairs
                ],
            }
        ]

    events_emit(program=program, event=Event.MATCH_PUBLISHED, items=items)
