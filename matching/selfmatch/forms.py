"""The self-match forms: a mentee's choices, a mentor's decline, the settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching.models import MatchSettings
from matching.selfmatch.selectors import Recommendation


class RequestForm(forms.Form):
    """The mentee's choices: mentor ids in order of preference, and a note."""

    mentors = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Mentors to ask"), coerce=int, required=True
    )
    message = forms.CharField(
        # The form's template marks optional fields itself.
        label=gettext_lazy("A note to your mentor"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Say what you hope to work on; each mentor you ask sees it."),
    )

    def __init__(self, *args: Any, choices: Sequence[Recommendation], limit: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limit = limit
        cast(forms.ChoiceField, self.fields["mentors"]).choices = [
            (r.mentor.pk, r.mentor.display_name) for r in choices
        ]
        self.fields["mentors"].error_messages["required"] = _("Choose at least one mentor.")
        self.ranks = {r.mentor.pk: str(self.data.get(f"rank-{r.mentor.pk}", "")) for r in choices}

    def clean_mentors(self) -> list[int]:
        chosen: list[int] = self.cleaned_data["mentors"]
        if len(chosen) > self.limit:
            raise forms.ValidationError(
                ngettext(
                    "Choose at most %(n)d mentor.", "Choose at most %(n)d mentors.", self.limit
                )
                % {"n": self.limit}
            )

        # Order by the rank typed next to each choice (blank last), then page order.
        def key(pk: int) -> tuple[int, int]:
            text = self.ranks.get(pk, "").strip()
            return (int(text) if text.isdigit() else 99, chosen.index(pk))

        return sorted(chosen, key=key)


class DeclineForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A note to the mentee (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kind words help, e.g. who might be a better fit."),
    )


class SelfMatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = ["self_match", "self_match_max_requests", "self_match_response_days"]
