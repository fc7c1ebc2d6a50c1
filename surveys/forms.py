"""Forms of the survey builder, the schedule and the answer page."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.questions.forms import OrderedQuestionForm
from mentoring.validators import SensibleDateField
from programs.models import Program
from surveys.models import Question, Survey
from surveys.services import TEXT_ANSWER_MAX
from surveys.starters import STARTERS


class SurveyCreateForm(forms.Form):
    starter = forms.ChoiceField(
        label=gettext_lazy("Start from"),
        required=False,
        widget=forms.RadioSelect,
        initial="",
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Needed for a blank survey; a template brings its own."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["starter"])
        field.choices = [
            ("", _("A blank survey")),
            *((s.key, f"{s.title} — {s.description}") for s in STARTERS),
        ]
        self.fields["title"].conditionally_required = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("starter") and not (data.get("title") or "").strip():
            self.add_error("title", _("Give a blank survey a title."))
        return data


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "audience", "is_anonymous"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.RadioSelect,
        }


class QuestionForm(OrderedQuestionForm):
    model = Question

    kind = forms.ChoiceField(
        label=gettext_lazy("Type of answer"),
        choices=Question.Kind.choices,
        initial=Question.Kind.RATING,
    )


def _zone(program: Program) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(program.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class ScheduleForm(forms.Form):
    trigger = forms.ChoiceField(
        label=gettext_lazy("Send invitations"),
        choices=Survey.Trigger.choices,
        widget=forms.RadioSelect,
    )
    offset_days = forms.IntegerField(
        label=gettext_lazy("Number of days"),
        min_value=0,
        max_value=365,
        initial=0,
        help_text=gettext_lazy(
            "For schedules that say “a number of days”: after the start, the end, the pair "
            "being published or closing."
        ),
    )
    checkin_every = forms.IntegerField(
        label=gettext_lazy("Every how many check-ins"),
        min_value=1,
        max_value=50,
        initial=3,
        help_text=gettext_lazy("For “after every Kth check-in”."),
    )
    reminder_count = forms.TypedChoiceField(
        label=gettext_lazy("Reminders to people who have not answered"),
        choices=[(0, gettext_lazy("None")), (1, gettext_lazy("One")), (2, gettext_lazy("Two"))],
        coerce=int,
        initial=2,
    )
    reminder_days = forms.IntegerField(
        label=gettext_lazy("Days between reminders"), min_value=1, max_value=30, initial=3
    )
    closes_on = SensibleDateField(
        label=gettext_lazy("Closes at the end of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "In the program's time zone. After this, links show a “closed” page."
        ),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        self.survey = survey
        zone = _zone(survey.program)
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "trigger": survey.trigger,
                "offset_days": survey.offset_days,
                "checkin_every": survey.checkin_every,
                "reminder_count": survey.reminder_count,
                "reminder_days": survey.reminder_days,
                "closes_on": survey.closes_at.astimezone(zone).date()
                if survey.closes_at
                else (timezone.now() + dt.timedelta(days=21)).astimezone(zone).date(),
            }
        super().__init__(*args, **kwargs)

    def clean_closes_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["closes_on"]
        if self.closes_at_for(value) <= timezone.now():
            raise forms.ValidationError(_("Choose a date in the future."))
        return value

    def closes_at_for(self, day: dt.date) -> dt.datetime:
        end = dt.datetime.combine(day, dt.time(23, 59), tzinfo=_zone(self.survey.program))
        return end.astimezone(dt.UTC)

    def schedule_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "trigger": data["trigger"],
            "offset_days": data["offset_days"],
            "checkin_every": data["checkin_every"],
            "reminder_count": data["reminder_count"],
            "reminder_days": data["reminder_days"],
            "closes_at": self.closes_at_for(data["closes_on"]),
        }


def answer_field_name(question: Question) -> str:
    return f"q{question.pk}"


_RATING_LABELS = {
    1: gettext_lazy("1: Very poor"),
    2: gettext_lazy("2: Poor"),
    3: gettext_lazy("3: Okay"),
    4: gettext_lazy("4: Good"),
    5: gettext_lazy("5: Excellent"),
}


class AnswerForm(forms.Form):
    """One field per question this person is asked, named q<id>."""

    def __init__(self, *args: Any, questions: Sequence[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            field: forms.Field
            common: dict[str, Any] = {
                "label": question.text,
                "required": question.is_required,
                "help_text": question.help_text,
            }
            if question.kind == Question.Kind.RATING:
                field = forms.TypedChoiceField(
                    choices=[(v, _RATING_LABELS[v]) for v in question.scale],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "scale scale--rating"}),
                    **common,
                )
            elif question.kind == Question.Kind.NPS:
                field = forms.TypedChoiceField(
                    choices=[(v, str(v)) for v in question.scale],
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "scale scale--nps"}),
                    **common,
                )
                if not question.help_text:
                    field.help_text = _("0 = not at all likely, 10 = extremely likely.")
            elif question.kind == Question.Kind.SINGLE_CHOICE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in question.choices], widget=forms.RadioSelect, **common
                )
            elif question.kind == Question.Kind.MULTI_CHOICE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in question.choices],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            else:
                field = forms.CharField(
                    max_length=TEXT_ANSWER_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    **common,
                )
            self.fields[answer_field_name(question)] = field

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(answer_field_name(q)) for q in self.questions}
