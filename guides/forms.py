"""The guides' editor: its text, links and attachments."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guides.attachments import CheckedUpload, attachment_allowed_extensions, attachment_check
from guides.models import Resource
from mentoring.audience import EVERYONE_CHOICES, Audience

# Links one guide may carry.
LINKS_MAX = 20


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by attachment_check."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            super().clean(upload, initial)
            try:
                checked.append(attachment_check(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def parse_links(text: str) -> list[Link]:
    """One link a line: "Label | https://..." or just the address."""
    validate = URLValidator(schemes=["http", "https"])
    links, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, _sep, url = line.rpartition("|") if "|" in line else ("", "", line)
        label, url = label.strip(), url.strip()
        try:
            validate(url)
        except ValidationError:
            errors.append(
                _("Line %(number)s: “%(url)s” is not a web address starting with https://.")
                % {"number": number, "url": url}
            )
            continue
        links.append(Link(label=label[:200] or url, url=url))
    if len(links) > LINKS_MAX:
        errors.append(_("Add at most %(max)s links.") % {"max": LINKS_MAX})
    if errors:
        raise ValidationError(errors)
    return links


def links_text(links: Iterable[dict[str, str]]) -> str:
    return "\n".join(
        link["url"] if link["label"] == link["url"] else f"{link['label']} | {link['url']}"
        for link in links
    )


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    audience = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=EVERYONE_CHOICES,
        initial=Audience.BOTH,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Markdown: **bold**, *italic*, # headings, - lists, [link text](https://…). "
            "HTML is shown as plain text."
        ),
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One a line: a label, a bar, then the address, e.g. "
            "“Company policy | https://intranet.example.com/policy”."
        ),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attach files"),
        required=False,
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published: the people it is for can read it"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Leave unticked to keep it as a draft only coordinators see."),
    )

    def __init__(self, *args: Any, resource: Resource | None = None, **kwargs: Any) -> None:
        if resource is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": resource.title,
                    "audience": resource.audience,
                    "body": resource.body,
                    "links": links_text(resource.links),
                    "is_published": resource.is_published,
                },
            )
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.RESOURCE_ATTACHMENT_MAX_BYTES)
        self.fields["attachments"].help_text = _(
            "Up to %(limit)s each: %(types)s. Files are only shown to the people the guide is for."
        ) % {"limit": limit, "types": ", ".join(attachment_allowed_extensions())}
        self.fields["attachments"].widget.attrs["accept"] = ",".join(
            attachment_allowed_extensions()
        )

    def clean_links(self) -> list[Link]:
        return parse_links(self.cleaned_data.get("links") or "")

    def resource_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "audience": data["audience"],
            "body": data["body"],
            "links": data["links"],
            "publish": data["is_published"],
        }
