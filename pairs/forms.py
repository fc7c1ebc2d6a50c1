"""The pair's forms: ending a mentorship, the agreement, goals and milestones.

The check-in forms are in pairs.checkins.forms.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.validators import SensibleDateField
from pairs.models import Mentorship, PairGoal
from programs.models import Participant


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is it ending?"),
        choices=Mentorship.EndReason.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Only the program's coordinators see the reason, to improve future matches."
        ),
        error_messages={"required": gettext_lazy("Choose a reason.")},
    )
    rematch = forms.BooleanField(required=False)

    def __init__(self, *args: object, side: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if side == Participant.Role.MENTEE:
            self.fields["rematch"].label = _("Find me a new mentor")
            self.fields["rematch"].help_text = _(
                "You'll be first in line when the next matches are made."
            )
        elif side == "":
            self.fields["rematch"].label = _("Queue the mentee for a new match")
            self.fields["rematch"].help_text = _("They'll be first in line at the next match run.")
        else:
            del self.fields["rematch"]


class AgreementForm(forms.Form):
    expectations = forms.CharField(
        label=gettext_lazy("What we expect of each other"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "For example: come prepared with a topic; say early if a meeting must move; "
            "give honest feedback. Changing it asks both of you to accept again."
        ),
    )


class PairGoalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Goal"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_on = SensibleDateField(
        label=gettext_lazy("By (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class GoalProgressForm(forms.Form):
    progress = forms.IntegerField(label=gettext_lazy("Progress (%)"), min_value=0, max_value=100)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=PairGoal.Status.choices)
