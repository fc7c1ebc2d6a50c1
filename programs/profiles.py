"""Profiles: a person's own facts, a program's questions and each participant's answers.

The services here are the only writers of Profile, ProfileQuestion and ProfileAnswer
rows, and of Participant.profile_completed_at. The forms below parse and check what
people type; the services check again and do the writing.

When is a participation's profile complete? (``participant_profile_missing``)
  * the person-level profile gives a job title, a department and a seniority, so
    matching can compare like with like;
  * a mentor names at least one skill to share; a mentee names at least one interest
    or writes down a career aspiration, so there is something to match on;
  * every required question the program asks of their role is answered.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.audience import AUDIENCES_BY_ROLE, Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from mentoring.questions import services as builder
from mentoring.questions.forms import OrderedQuestionForm
from mentoring.validators import NameField
from programs.forms import time_zone_names, validate_time_zone
from programs.models import (
    Participant,
    Profile,
    ProfileAnswer,
    ProfileQuestion,
    Program,
)
from programs.services import ProgramError, mentor_capacity_set, participant_status_set

# Lists of short phrases (skills, interests, languages).
TAG_MAX_ITEMS = 30
TAG_MAX_LENGTH = 60
TAG_SEPARATORS = re.compile(r"[,\n]")
TAG_FIELDS = ("languages", "skills", "interests")

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


# ------------------------------------------------------------------------------
# Lists of short phrases
# ------------------------------------------------------------------------------


def tags_normalise(values: str | Iterable[str], *, label: str | Promise = "") -> list[str]:
    """Trimmed, de-duplicated (ignoring case, first spelling wins) list of phrases.

    Accepts the text of a comma- or line-separated input or a list. ProgramError
    when there are more than TAG_MAX_ITEMS or one is longer than TAG_MAX_LENGTH.
    """
    parts = TAG_SEPARATORS.split(values) if isinstance(values, str) else list(values)
    tags: list[str] = []
    seen: set[str] = set()
    for part in parts:
        tag = " ".join(str(part).split())
        if not tag or tag.casefold() in seen:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            raise ProgramError(
                _("“%(tag)s” is too long: keep each entry under %(max)s characters.")
                % {"tag": tag[:30] + "…", "max": TAG_MAX_LENGTH}
            )
        seen.add(tag.casefold())
        tags.append(tag)
    if len(tags) > TAG_MAX_ITEMS:
        raise ProgramError(
            _("That is %(count)s %(what)s; list at most %(max)s.")
            % {"count": len(tags), "what": label or _("entries"), "max": TAG_MAX_ITEMS}
        )
    return tags


# ------------------------------------------------------------------------------
# Completeness
# ------------------------------------------------------------------------------


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
        profile = _profile_of(row.user) if row.user is not None else None
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


def _profile_of(user: User) -> Profile | None:
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


# ------------------------------------------------------------------------------
# The person-level profile
# ------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------
# A participant's answers and mentoring settings
# ------------------------------------------------------------------------------


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


# ------------------------------------------------------------------------------
# The program's questions
# ------------------------------------------------------------------------------


def _question_clean(**fields: Any) -> builder.QuestionFields:
    try:
        return builder.question_clean(model=ProfileQuestion, **fields)
    except builder.QuestionError as error:
        raise ProgramError(str(error)) from None


def _program_editable(program: Program) -> None:
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))


@transaction.atomic
def question_create(
    *,
    program: Program,
    text: str,
    kind: str,
    by: User,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
    is_matching_input: bool = False,
) -> ProfileQuestion:
    """Add a question at the end of the program's list."""
    _program_editable(program)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    question = builder.question_add(
        model=ProfileQuestion,
        owner=program,
        fields=fields,
        is_matching_input=is_matching_input,
    )
    if is_required:
        program_completeness_refresh(program=program)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_create", "program_id": program.pk},
    )
    return question


def _answers_in_use(question: ProfileQuestion, removed: set[str]) -> list[str]:
    """Which of these removed choices some answer still uses."""
    used: set[str] = set()
    for value in question.answers.values_list("value", flat=True):
        picked = value if isinstance(value, list) else [value]
        used.update(choice for choice in picked if choice in removed)
    return [choice for choice in question.choices if choice in used]


@transaction.atomic
def question_update(
    *,
    question: ProfileQuestion,
    by: User,
    text: str,
    kind: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    is_required: bool = False,
    audience: str = Audience.BOTH,
    is_matching_input: bool = False,
) -> ProfileQuestion:
    """Change a question. Once people have answered it, its meaning is locked:

    the kind cannot change, a choice someone picked cannot be removed or renamed
    (new choices may be added), and the audience cannot drop a role whose members
    answered. Text, help text, required and the matching flag may always change.
    """
    _program_editable(question.program)
    fields = _question_clean(
        text=text,
        help_text=help_text,
        kind=kind,
        choices=choices,
        is_required=is_required,
        audience=audience,
    )
    cleaned = fields.choices
    question = ProfileQuestion.objects.select_for_update().get(pk=question.pk)
    answers = question.answers.all()
    if answers.exists():
        if kind != question.kind:
            raise ProgramError(
                _(
                    "People have answered this question, so its type cannot change. "
                    "Add a new question instead."
                )
            )
        removed = set(question.choices) - set(cleaned)
        in_use = _answers_in_use(question, removed) if removed else []
        if in_use:
            raise ProgramError(
                _(
                    "These choices were picked by people who answered, so they cannot be "
                    "removed or renamed: %(choices)s."
                )
                % {"choices": ", ".join(f"“{choice}”" for choice in in_use)}
            )
        dropped_roles = [
            role
            for role, audiences in AUDIENCES_BY_ROLE.items()
            if question.audience in audiences and audience not in audiences
        ]
        if dropped_roles and answers.filter(participant__role__in=dropped_roles).exists():
            raise ProgramError(
                _("Some %(role)s have answered this question, so it must still be asked of them.")
                % {
                    "role": _("mentors")
                    if Participant.Role.MENTOR in dropped_roles
                    else _("mentees")
                }
            )
    completeness_changes = is_required != question.is_required or (
        is_required and audience != question.audience
    )
    builder.question_update(question=question, fields=fields, is_matching_input=is_matching_input)
    if completeness_changes:
        program_completeness_refresh(program=question.program)
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_update", "program_id": question.program_id},
    )
    return question


@transaction.atomic
def question_delete(*, question: ProfileQuestion, by: User) -> int:
    """Delete a question and every answer to it; returns how many answers went."""
    program = question.program
    _program_editable(program)
    answer_count = question.answers.count()
    was_required = question.is_required
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=question,
        detail={"change": "question_delete", "program_id": program.pk, "answers": answer_count},
    )
    builder.question_delete(question=question)
    if was_required:
        program_completeness_refresh(program=program)
    return answer_count


@transaction.atomic
def question_reorder(*, program: Program, question_ids: Sequence[int], by: User) -> None:
    """Put the program's questions in this order (every question exactly once)."""
    _program_editable(program)
    try:
        moved = builder.question_order_set(
            model=ProfileQuestion, owner=program, question_ids=question_ids
        )
    except builder.QuestionError as error:
        raise ProgramError(str(error)) from None
    _reordered(program, moved, by)


def _reordered(program: Program, moved: int, by: User) -> None:
    audit_record(
        action=Action.PROGRAM_CHANGE,
        actor=by,
        target=program,
        detail={"change": "question_reorder", "moved": moved},
    )


@transaction.atomic
def question_move(*, question: ProfileQuestion, offset: int, by: User) -> bool:
    """Move a question up (offset -1) or down (+1); False when it is already at that end."""
    _program_editable(question.program)
    moved = builder.question_move(question=question, offset=offset)
    if moved:
        _reordered(question.program, moved, by)
    return bool(moved)


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------


def answers_by_question(participant: Participant) -> dict[int, Any]:
    return dict(
        ProfileAnswer.objects.filter(participant=participant).values_list("question_id", "value")
    )


def participant_own(*, user: User, program: Program) -> Participant | None:
    """The signed-in person's own (not withdrawn) participation in a program."""
    return (
        Participant.objects.filter(program=program, user=user)
        .exclude(status=Participant.Status.WITHDRAWN)
        .select_related("program")
        .first()
    )


def question_list(*, program: Program) -> QuerySet[ProfileQuestion]:
    """The program's questions in order, each with how many people answered it."""
    return builder.question_list(model=ProfileQuestion, owner=program, answer_counts=True)


# ==============================================================================
# Forms
# ==============================================================================


def _tags_initial(values: Iterable[str]) -> str:
    return ", ".join(values)


class TagsField(forms.CharField):
    """A comma-separated list of short phrases, cleaned to a list."""

    def __init__(self, *, what: str | Promise, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        try:
            return tags_normalise(text or "", label=self.what)
        except ProgramError as error:
            raise ValidationError(str(error), code="tags") from None


class ProfileForm(forms.Form):
    full_name = NameField(label=gettext_lazy("Full name"), max_length=150)
    preferred_name = NameField(
        label=gettext_lazy("Preferred name"),
        max_length=80,
        required=False,
        help_text=gettext_lazy("What people should call you, if not your first name."),
    )
    job_title = forms.CharField(label=gettext_lazy("Job title"), max_length=120, required=False)
    department = forms.CharField(label=gettext_lazy("Department"), max_length=120, required=False)
    seniority = forms.TypedChoiceField(
        label=gettext_lazy("Seniority"),
        choices=[("", gettext_lazy("Choose…")), *Profile.Seniority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    location = forms.CharField(
        label=gettext_lazy("Location"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("City or office, e.g. Berlin or London HQ."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("Times of check-ins and reminders are shown in it."),
    )
    manager_email = forms.EmailField(
        label=gettext_lazy("Your manager's email"), max_length=254, required=False
    )
    languages = TagsField(
        what=gettext_lazy("languages"),
        label=gettext_lazy("Languages you can mentor or be mentored in"),
        help_text=gettext_lazy("Separate them with commas, e.g. English, German."),
    )
    skills = TagsField(
        what=gettext_lazy("skills"),
        label=gettext_lazy("Skills"),
        help_text=gettext_lazy(
            "What you are good at and could share, separated by commas (up to 30). "
            "Mentors need at least one for matching."
        ),
    )
    interests = TagsField(
        what=gettext_lazy("interests"),
        label=gettext_lazy("Interests"),
        help_text=gettext_lazy(
            "What you would like to learn or grow in, separated by commas. Mentees need at "
            "least one, or their career aspirations, for matching."
        ),
    )
    career_aspirations = forms.CharField(
        label=gettext_lazy("Career aspirations"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Where you would like to be in two or three years."),
    )
    bio = forms.CharField(
        label=gettext_lazy("Short bio"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("A few sentences your mentor or mentee will read first."),
    )
    demographics_consent = forms.BooleanField(
        label=gettext_lazy(
            "I agree that my gender and ethnicity, as I describe them below, are stored and "
            "used in aggregate reports."
        ),
        required=False,
        help_text=gettext_lazy(
            "Reports only ever show groups of several people; smaller groups are hidden, and "
            "no one sees your answer on its own. Untick this box at any time to remove both."
        ),
    )
    gender = forms.CharField(
        label=gettext_lazy("Gender, in your own words"), max_length=80, required=False
    )
    ethnicity = forms.CharField(
        label=gettext_lazy("Ethnicity, in your own words"), max_length=120, required=False
    )

    DEMOGRAPHIC_FIELDS = ("demographics_consent", "gender", "ethnicity")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        profile = _profile_of(user)
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(user, profile)
        super().__init__(*args, **kwargs)
        self.withdraws_consent = False
        # Optional to save, but matching needs them: say so instead of "(optional)".
        for name in ("job_title", "department", "seniority"):
            self.fields[name].label_note = _("(needed for matching)")  # type: ignore[attr-defined]
        zones = list(time_zone_names())
        if user.time_zone and user.time_zone not in zones:
            zones.insert(0, user.time_zone)
        zone_field = cast(forms.ChoiceField, self.fields["time_zone"])
        zone_field.choices = [(name, name.replace("_", " ")) for name in zones]
        zone_field.validators.append(validate_time_zone)

    @staticmethod
    def initial_for(user: User, profile: Profile | None) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "full_name": user.full_name,
            "preferred_name": user.preferred_name,
            "time_zone": user.time_zone,
        }
        if profile is not None:
            initial.update(
                {
                    "job_title": profile.job_title,
                    "department": profile.department,
                    "seniority": profile.seniority,
                    "location": profile.location,
                    "manager_email": profile.manager_email,
                    "languages": _tags_initial(profile.languages),
                    "skills": _tags_initial(profile.skills),
                    "interests": _tags_initial(profile.interests),
                    "career_aspirations": profile.career_aspirations,
                    "bio": profile.bio,
                    "demographics_consent": profile.demographics_consent_at is not None,
                    "gender": profile.gender,
                    "ethnicity": profile.ethnicity,
                }
            )
        return initial

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        described = (data.get("gender") or "").strip() or (data.get("ethnicity") or "").strip()
        consent = bool(data.get("demographics_consent"))
        had_consent = bool(self.initial.get("demographics_consent"))
        # Unticking a box that was ticked withdraws consent: both are removed.
        self.withdraws_consent = had_consent and not consent
        if described and not consent and not self.withdraws_consent:
            self.add_error(
                "demographics_consent",
                _("Tick this box to save your gender or ethnicity, or leave both empty."),
            )
        return data

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.DEMOGRAPHIC_FIELDS]

    def demographic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.DEMOGRAPHIC_FIELDS]

    def profile_fields(self) -> dict[str, Any]:
        """The cleaned values, named as profile_update takes them."""
        data = dict(self.cleaned_data)
        consent = bool(data.pop("demographics_consent"))
        if not consent:
            data["gender"] = data["ethnicity"] = ""
        return {"demographics_consent": consent, **data}


def scale_choices() -> list[tuple[int, str]]:
    return [
        (1, _("1 (lowest)")),
        (2, "2"),
        (3, "3"),
        (4, "4"),
        (5, _("5 (highest)")),
    ]


def answer_field_name(question: ProfileQuestion) -> str:
    return f"question_{question.pk}"


def answer_field(question: ProfileQuestion) -> forms.Field:
    """The form field that asks one question."""
    common: dict[str, Any] = {
        "label": question.text,
        "help_text": question.help_text,
        "required": question.is_required,
    }
    kind = question.kind
    if kind == ProfileQuestion.Kind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
        )
    if kind == ProfileQuestion.Kind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == ProfileQuestion.Kind.SCALE:
        return forms.TypedChoiceField(
            choices=scale_choices(),
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    return forms.CharField(
        max_length=TEXT_ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
    )


class ParticipantProfileForm(forms.Form):
    """A participant's answers to their program's questions, and a mentor's settings."""

    capacity = forms.IntegerField(
        label=gettext_lazy("How many mentees can you take?"),
        min_value=0,
        max_value=50,
        required=False,
    )
    paused = forms.BooleanField(
        label=gettext_lazy("Pause taking new mentees"),
        required=False,
        help_text=gettext_lazy(
            "While paused you are not offered new mentees. Pairs you already have go on."
        ),
    )

    def __init__(
        self,
        *args: Any,
        participant: Participant,
        questions: Sequence[ProfileQuestion],
        answers: Mapping[int, Any],
        **kwargs: Any,
    ) -> None:
        self.participant = participant
        self.questions = questions_for_role(questions, participant.role)
        initial = {answer_field_name(q): answers.get(q.pk) for q in self.questions}
        initial["capacity"] = participant.capacity
        initial["paused"] = participant.status == Participant.Status.PAUSED
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for question in self.questions:
            self.fields[answer_field_name(question)] = answer_field(question)
        self.is_mentor = participant.role == Participant.Role.MENTOR
        self.can_pause = self.is_mentor and participant.status in (
            Participant.Status.ACTIVE,
            Participant.Status.PAUSED,
        )
        if not self.is_mentor:
            del self.fields["capacity"]
        else:
            default = participant.program.default_mentor_capacity
            self.fields["capacity"].help_text = _(
                "Leave empty to take the program's default of %(default)s. "
                "0 means you take no new mentees for now."
            ) % {"default": default}
            self.fields["capacity"].widget.attrs["placeholder"] = str(default)
        if not self.can_pause:
            del self.fields["paused"]

    def question_fields(self) -> list[forms.BoundField]:
        return [self[answer_field_name(q)] for q in self.questions]

    def mentor_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("capacity", "paused") if name in self.fields]

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(answer_field_name(q)) for q in self.questions}

    def mentor_settings(self) -> MentorSettings | None:
        if not self.is_mentor:
            return None
        return MentorSettings(
            capacity=self.cleaned_data.get("capacity"),
            paused=self.cleaned_data.get("paused") if self.can_pause else None,
        )


class QuestionForm(OrderedQuestionForm):
    model = ProfileQuestion
    extra_names = ("is_matching_input",)

    help_text = forms.CharField(
        label=gettext_lazy("Help text"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown under the question, e.g. what a good answer looks like."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Type of answer"),
        choices=ProfileQuestion.Kind.choices,
        initial=ProfileQuestion.Kind.SINGLE_CHOICE,
    )
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Needed for single and multiple choice: one choice per line, 2 to 20 of them."
        ),
    )
    is_required = forms.BooleanField(
        label=gettext_lazy("Required: a profile is not complete without an answer"),
        required=False,
    )
    is_matching_input = forms.BooleanField(
        label=gettext_lazy("Used for matching"),
        required=False,
        help_text=gettext_lazy(
            "Matching can compare the answers of mentors and mentees to this question "
            "(free-text answers by the themes they mention, in English)."
        ),
    )
