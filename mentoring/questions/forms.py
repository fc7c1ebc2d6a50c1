"""The question builder's form, shared by every subclass of OrderedQuestion."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.utils.translation import gettext_lazy

from mentoring.audience import Audience
from mentoring.questions.models import OrderedQuestion
from mentoring.questions.services import QuestionError, question_clean


class OrderedQuestionForm(forms.Form):
    """Add or edit one question. A subclass names its ``model`` and may declare a field
    again (labels, help) or add its own; ``question_fields`` gives what the builder saves
    and ``extra_fields`` the subclass's own cleaned values."""

    model: ClassVar[type[OrderedQuestion]]
    # The subclass's own fields, saved next to the shared ones.
    extra_names: ClassVar[tuple[str, ...]] = ()

    text = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    help_text = forms.CharField(
        label=gettext_lazy("Help text"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Shown under the question."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Type of answer"))
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Needed for single and multiple choice: one choice per line, 2 to 20 of them."
        ),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Asked of"),
        choices=Audience.choices,
        initial=Audience.BOTH,
        widget=forms.RadioSelect,
    )
    is_required = forms.BooleanField(label=gettext_lazy("Required"), required=False)

    def __init__(self, *args: Any, question: OrderedQuestion | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "text": question.text,
                "help_text": question.help_text,
                "kind": question.kind,
                "choices": "\n".join(question.choices),
                "audience": question.audience,
                "is_required": question.is_required,
                **{name: getattr(question, name) for name in self.extra_names},
            }
        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        if not kind.choices:
            kind.choices = self.model._meta.get_field("kind").choices or []
        # Needed for choice types only, so the label does not call it optional.
        self.fields["choices"].conditionally_required = True  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind = data.get("kind")
        lines = [line for line in (data.get("choices") or "").splitlines() if line.strip()]
        data["choice_list"] = lines if kind in self.model.CHOICE_KINDS else []
        if kind is None or "choices" in self.errors:
            return data
        try:
            question_clean(
                model=self.model,
                text=data.get("text") or "x",
                help_text=data.get("help_text") or "",
                kind=kind,
                choices=data["choice_list"],
                audience=data.get("audience") or Audience.BOTH,
            )
        except QuestionError as error:
            self.add_error("choices", str(error))
        return data

    def question_fields(self) -> dict[str, Any]:
        """The cleaned values, named as the app's question_create / question_update take them."""
        data = self.cleaned_data
        return {
            "text": data["text"],
            "help_text": data["help_text"],
            "kind": data["kind"],
            "choices": data["choice_list"],
            "audience": data["audience"],
            "is_required": data["is_required"],
            **{name: data[name] for name in self.extra_names},
        }
