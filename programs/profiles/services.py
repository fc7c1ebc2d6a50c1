"""Writes of a person's own profile and of a participant's answers and mentoring settings.

The only writers of Profile and ProfileAnswer rows; each recomputes completeness
(programs/profiles/completeness.py) after it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import User
from programs.forms import validate_time_zone
from programs.models import Participant, Profile, ProfileAnswer, ProfileQuestion, Program
from programs.profiles.completeness import (
    participant_completeness_refresh,
    questions_for_role,
    user_completeness_refresh,
)
from programs.profiles.tags import TAG_FIELDS, tags_normalise
from programs.services import ProgramError, mentor_capacity_set, participant_status_set

TEXT_ANSWER_MAX = 2000
SCALE_VALUES = (1, 2, 3, 4, 5)

USER_FIELDS = frozenset({"full_name", "preferred_name", "time_zone"})
PROFILE_FIELDS = frozenset(
    {
        "job_title",
        "department",
        "location",
        "manager_email",
        "seniority",
        "languages",
        "skills",
        "interests",
        "career_aspirations",
        "bio",
        "gender",
        "ethnicity",
    }
)


@transaction.atomic
def profile_update(*, user: User, demographics_consent: bool, **fields: Any) -> Profile:
    """Save a person's own profile and recompute completeness in all their programs.

    Gender and ethnicity are kept only with consent; withdrawing consent clears them.
    """
    unknown = set(fields) - USER_FIELDS - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"profile_update() got unexpected fields: {sorted(unknown)}")
    if "time_zone" in fields:
        try:
            validate_time_zone(fields["time_zone"])
        except ValidationError:
            raise ProgramError(
                _("“%(value)s” is not a time zone we know. Use a name like Europe/Berlin.")
                % {"value": fields["time_zone"]}
            ) from None
    labels = {
        "languages": _("languages"),
        "skills": _("skills"),
        "interests": _("interests"),
    }
    for name in TAG_FIELDS:
        if name in fields:
            fields[name] = tags_normalise(fields[name], label=labels[name])
    for name in ("gender", "ethnicity"):
        if name in fields:
            fields[name] = " ".join(str(fields[name]).split())
    if "manager_email" in fields:
        fields["manager_email"] = fields["manager_email"].strip().lower()

    if not demographics_consent and (fields.get("gender") or fields.get("ethnicity")):
        raise ProgramError(
            _("Gender and ethnicity are saved only with your consent: tick the box.")
        )

    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    for name, value in fields.items():
        if name in PROFILE_FIELDS:
            setattr(profile, name, value)
    if demographics_consent:
        if profile.demographics_consent_at is None:
            profile.demographics_consent_at = timezone.now()
    else:
        # No consent (or consent withdrawn): nothing self-described is kept.
        profile.gender = ""
        profile.ethnicity = ""
        profile.demographics_consent_at = None
    profile.save()

    user_fields = [name for name in fields if name in USER_FIELDS]
    for name in user_fields:
        value = fields[name]
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    if user_fields:
        user.save(update_fields=user_fields)
    user_completeness_refresh(user=user)
    return profile


def _answer_clean(question: ProfileQuestion, value: Any) -> Any:
    """The value to store for an answer, None for "no answer"; ProgramError if invalid."""
    kind = question.kind
    if value is None or value == "" or value == []:
        return None
    if kind == ProfileQuestion.Kind.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in question.choices:
            raise ProgramError(
                _("Choose one of the options for “%(question)s”.") % {"question": question.text}
            )
        return value
    if kind == ProfileQuestion.Kind.MULTI_CHOICE:
        if isinstance(value, str) or not isinstance(value, Iterable):
            raise ProgramError(
                _("Choose from the options for “%(question)s”.") % {"question": question.text}
            )
        picked = set(value)
        if not picked <= set(question.choices):
            raise ProgramError(
                _("Choose from the options for “%(question)s”.") % {"question": question.text}
            )
        # Stored in the order the question lists them.
        return [choice for choice in question.choices if choice in picked]
    if kind == ProfileQuestion.Kind.SCALE:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in SCALE_VALUES:
            raise ProgramError(
                _("Pick a number from 1 to 5 for “%(question)s”.") % {"question": question.text}
            )
        return number
    text = str(value).strip()
    if len(text) > TEXT_ANSWER_MAX:
        raise ProgramError(
            _("Keep your answer to “%(question)s” under %(max)s characters.")
            % {"question": question.text, "max": TEXT_ANSWER_MAX}
        )
    return text or None


@transaction.atomic
def participant_answers_save(*, participant: Participant, answers: Mapping[int, Any]) -> None:
    """Save a participant's answers to their program's questions, all or nothing.

    ``answers`` maps question ids to values; a question left out or given an empty
    value has no answer (an existing one is removed). Required questions must be answered.
    """
    if participant.status == Participant.Status.WITHDRAWN:
        raise ProgramError(_("You have left this program."))
    program = participant.program
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("This program has closed; its profiles can no longer change."))
    questions = questions_for_role(
        ProfileQuestion.objects.filter(program_id=participant.program_id), participant.role
    )
    by_id = {q.pk: q for q in questions}
    strangers = set(answers) - set(by_id)
    if strangers:
        raise ProgramError(_("Some answers are for questions you are not asked."))
    existing = {a.question_id: a for a in ProfileAnswer.objects.filter(participant=participant)}
    to_create, to_update, to_delete = [], [], []
    for question in questions:
        value = _answer_clean(question, answers.get(question.pk))
        current = existing.get(question.pk)
        if value is None:
            if question.is_required:
                raise ProgramError(
                    _("“%(question)s” needs an answer.") % {"question": question.text}
                )
            if current is not None:
                to_delete.append(current.pk)
        elif current is None:
            to_create.append(ProfileAnswer(participant=participant, question=question, value=value))
        elif current.value != value:
            current.value = value
            current.updated_at = timezone.now()
            to_update.append(current)
    if to_delete:
        ProfileAnswer.objects.filter(pk__in=to_delete).delete()
    ProfileAnswer.objects.bulk_create(to_create)
    ProfileAnswer.objects.bulk_update(to_update, ["value", "updated_at"])
    participant_completeness_refresh(participant=participant)


@transaction.atomic
def participant_pause_set(*, participant: Participant, paused: bool, by: User) -> Participant:
    """A mentor pauses (or resumes) taking new mentees; active <-> paused only."""
    if participant.role != Participant.Role.MENTOR:
        raise ProgramError(_("Only mentors can pause taking new mentees."))
    wanted = Participant.Status.PAUSED if paused else Participant.Status.ACTIVE
    if participant.status == wanted:
        return participant
    if participant.status not in (Participant.Status.ACTIVE, Participant.Status.PAUSED):
        raise ProgramError(_("You can pause once you are an active mentor in this program."))
    updated = participant_status_set(participant=participant, status=wanted, by=by)
    participant.status = updated.status
    return updated


@dataclass(frozen=True)
class MentorSettings:
    capacity: int | None  # None: the program's default
    paused: bool | None  # None: leave the status alone (not active or paused yet)


@transaction.atomic
def participant_profile_save(
    *,
    participant: Participant,
    answers: Mapping[int, Any],
    mentor_settings: MentorSettings | None,
    by: User,
) -> None:
    """Everything on a participant's own profile page, in one transaction."""
    participant_answers_save(participant=participant, answers=answers)
    if mentor_settings is None:
        return
    if participant.capacity != mentor_settings.capacity:
        mentor_capacity_set(participant=participant, capacity=mentor_settings.capacity, by=by)
    if mentor_settings.paused is not None:
        participant_pause_set(participant=participant, paused=mentor_settings.paused, by=by)
