"""The forms of the profile pages and of the question builder.

They parse and check what people type; the services check again and do the writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import User
from mentoring.questions.forms import OrderedQuestionForm
from mentoring.validators import NameField
from programs.forms import time_zone_names, validate_time_zone
from programs.models import Participant, Profile, ProfileQuestion
from programs.profiles.completeness import profile_of, questions_for_role
from programs.profiles.services import TEXT_ANSWER_MAX, MentorSettings
from programs.profiles.tags import tags_normalise
from programs.services import ProgramError


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
        profile = profile_of(user)
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
