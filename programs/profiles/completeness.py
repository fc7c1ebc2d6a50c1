"""When a participation's profile is complete; the only writer of
``Participant.profile_completed_at``.

A profile is complete (``participant_profile_missing`` is empty) when
  * the person-level profile gives a job title, a department and a seniority, so
    matching can compare like with like;
  * a mentor names at least one skill to share; a mentee names at least one interest
    or writes down a career aspiration, so there is something to match on;
  * every required question the program asks of their role is answered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.audience import AUDIENCES_BY_ROLE
from mentoring.models import User
from programs.models import Participant, Profile, ProfileAnswer, ProfileQuestion, Program


def questions_for_role(questions: Iterable[ProfileQuestion], role: str) -> list[ProfileQuestion]:
    audiences = AUDIENCES_BY_ROLE.get(role, ())
    return [q for q in questions if q.audience in audiences]


def profile_missing(profile: Profile | None, role: str) -> list[str]:
    """What the person-level profile still lacks for this role; empty when it is enough."""
    missing: list[str] = []
    if profile is None or not profile.job_title.strip():
        missing.append(_("your job title"))
    if profile is None or not profile.department.strip():
        missing.append(_("your department"))
    if profile is None or profile.seniority is None:
        missing.append(_("your seniority"))
    if role == Participant.Role.MENTOR:
        if profile is None or not profile.skills:
            missing.append(_("at least one skill you can share"))
    elif profile is None or not (profile.interests or profile.career_aspirations.strip()):
        missing.append(_("at least one interest or your career aspirations"))
    return missing


def participant_profile_missing(
    *,
    participant: Participant,
    profile: Profile | None,
    questions: Iterable[ProfileQuestion],
    answered_ids: set[int],
) -> list[str]:
    """Everything a participation still needs before its profile counts as complete.

    ``questions`` are the program's questions (any audience); ``answered_ids`` the ids
    of the questions this participant has answered.
    """
    missing = profile_missing(profile, participant.role)
    for question in questions_for_role(questions, participant.role):
        if question.is_required and question.pk not in answered_ids:
            missing.append(_("an answer to “%(question)s”") % {"question": question.text})
    return missing


def _completeness_refresh(participants: QuerySet[Participant], *, now: dt.datetime) -> int:
    """Set or clear profile_completed_at on these participations; returns how many changed.

    Four queries whatever the number of people: participants with their profiles,
    the required questions, the answers to them, and one batched UPDATE.
    """
    rows = list(
        participants.exclude(status=Participant.Status.WITHDRAWN).select_related("user__profile")
    )
    if not rows:
        return 0
    program_ids = {row.program_id for row in rows}
    required: dict[int, list[ProfileQuestion]] = {}
    for question in ProfileQuestion.objects.filter(program_id__in=program_ids, is_required=True):
        required.setdefault(question.program_id, []).append(question)
    answered: dict[int, set[int]] = {}
    answer_pairs = ProfileAnswer.objects.filter(
        participant__in=participants.values("pk"),
        question__is_required=True,
    ).values_list("participant_id", "question_id")
    for participant_id, question_id in answer_pairs:
        answered.setdefault(participant_id, set()).add(question_id)
    changed = []
    for row in rows:
        profile = profile_of(row.user) if row.user is not None else None
        missing = participant_profile_missing(
            participant=row,
            profile=profile,
            questions=required.get(row.program_id, []),
            answered_ids=answered.get(row.pk, set()),
        )
        if missing and row.profile_completed_at is not None:
            row.profile_completed_at = None
            changed.append(row)
        elif not missing and row.profile_completed_at is None:
            row.profile_completed_at = now
            changed.append(row)
    Participant.objects.bulk_update(changed, ["profile_completed_at"], batch_size=500)
    return len(changed)


def profile_of(user: User) -> Profile | None:
    # The reverse one-to-one raises an AttributeError subclass when there is none.
    profile: Profile | None = getattr(user, "profile", None)
    return profile


def participant_completeness_refresh(*, participant: Participant) -> bool:
    """Recompute one participation's completeness; True when its profile is complete now."""
    _completeness_refresh(Participant.objects.filter(pk=participant.pk), now=timezone.now())
    participant.refresh_from_db(fields=["profile_completed_at"])
    return participant.profile_completed_at is not None


def user_completeness_refresh(*, user: User) -> int:
    """Recompute every participation of one person (their own profile changed)."""
    return _completeness_refresh(Participant.objects.filter(user=user), now=timezone.now())


def program_completeness_refresh(*, program: Program) -> int:
    """Recompute everyone in a program (its required questions changed)."""
    return _completeness_refresh(Participant.objects.filter(program=program), now=timezone.now())
