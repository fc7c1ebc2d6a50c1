"""Forms of the coordinator's matching pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from matching import inputs, runs
from matching.models import MatchCriterion, MatchSettings, Objective, PairRule
from programs.models import Participant, Program


class MatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [
            "objective",
            "avoid_reporting_line",
            "avoid_same_department",
            "require_shared_language",
        ]
        widgets = {"objective": forms.RadioSelect}


class CriterionForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("Profile field"))
    rule = forms.ChoiceField(label=gettext_lazy("Rule"), choices=MatchCriterion.Rule.choices)
    mentor_field = forms.ChoiceField(
        label=gettext_lazy("The mentor's field"),
        required=False,
        help_text=gettext_lazy(
            "Complementary: the mentor's field that should cover the mentee's. Similar "
            "themes: the mentor's free text to compare with the mentee's (empty: the same "
            "field)."
        ),
    )
    weight = forms.ChoiceField(
        label=gettext_lazy("Weight"), choices=MatchCriterion.Weight.choices, initial="medium"
    )
    custom_weight = forms.DecimalField(
        label=gettext_lazy("Weight as a number"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
    )
    min_gap = forms.IntegerField(
        label=gettext_lazy("Levels (seniority gap)"), min_value=1, max_value=6, initial=1
    )
    max_hours = forms.IntegerField(
        label=gettext_lazy("Hours apart (time zones)"), min_value=1, max_value=24, initial=8
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        catalog = inputs.field_catalog(program)
        cast(forms.ChoiceField, self.fields["field"]).choices = [
            (k, f.label.capitalize()) for k, f in catalog.items()
        ]
        cast(forms.ChoiceField, self.fields["mentor_field"]).choices = [("", "—")] + [
            (k, f.label.capitalize())
            for k, f in catalog.items()
            if f.kind in inputs.MENTOR_FIELD_KIND.values()
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not self.errors:
            problem = runs.criterion_problem(self.program, data)
            if problem is not None:
                self.add_error(problem[0], problem[1])
        return data

    def cleaned(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data["weight"] != MatchCriterion.Weight.CUSTOM:
            data["custom_weight"] = None
        return data


class WeightForm(forms.Form):
    weight = forms.ChoiceField(label=gettext_lazy("Weight"), choices=MatchCriterion.Weight.choices)
    custom_weight = forms.DecimalField(
        label=gettext_lazy("Weight as a number"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
    )


class PairRuleForm(forms.Form):
    mentee = forms.ModelChoiceField(
        label=gettext_lazy("Mentee"), queryset=Participant.objects.none()
    )
    mentor = forms.ModelChoiceField(
        label=gettext_lazy("Mentor"), queryset=Participant.objects.none()
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Rule"),
        choices=PairRule.Kind.choices,
        widget=forms.RadioSelect,
        initial="pin",
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Participant.objects.filter(program=program).exclude(
            status=Participant.Status.WITHDRAWN
        )
        self.fields["mentee"].queryset = people.filter(role=Participant.Role.MENTEE)  # type: ignore[attr-defined]
        self.fields["mentor"].queryset = people.filter(role=Participant.Role.MENTOR)  # type: ignore[attr-defined]


class WhatIfForm(forms.Form):
    objective = forms.ChoiceField(
        label=gettext_lazy("Objective"), choices=Objective.choices, required=False
    )

    def __init__(
        self, *args: Any, criteria: list[dict[str, Any]], labels: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for row in criteria:
            self.fields[f"w_{row['key']}"] = forms.ChoiceField(
                label=labels.get(row["key"], row["key"]),
                choices=MatchCriterion.Weight.choices[:-1],
                initial=row["weight"] if row["weight"] != "custom" else "medium",
                required=False,
            )

    def weights(self) -> dict[str, dict[str, Any]]:
        return {
            row["key"]: {"weight": self.cleaned_data[f"w_{row['key']}"], "custom_weight": None}
            for row in self.criteria
            if self.cleaned_data.get(f"w_{row['key']}")
        }
