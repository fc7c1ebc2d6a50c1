"""Forms of the programs app: they parse and check input; services do the writing."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.utils.translation import gettext_lazy as _

from mentoring.validators import SensibleDateField, name_problem
from programs.models import Participant, Program, ProgramGoal
from programs.services import Invitee

# Cadence presets offered first; anything else is a custom number of days.
CADENCE_PRESETS: dict[int, Any] = {
    7: _("Weekly"),
    14: _("Every two weeks"),
    30: _("Monthly"),
}
CUSTOM = "custom"

# People one paste may invite; bigger lists belong in a CSV import.
INVITE_MAX = 500


@cache
def time_zone_names() -> tuple[str, ...]:
    """Region/City zone names people recognise, plus UTC (no legacy aliases)."""
    legacy_prefixes = ("Etc/", "SystemV/", "US/", "posix", "right/")
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(legacy_prefixes)
    }
    return ("UTC", *sorted(names))


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("“%(value)s” is not a time zone we know. Use a name like Europe/Berlin."),
            code="time_zone",
            params={"value": value},
        ) from None


class DateInput(forms.DateInput):
    """A native date picker; its value is always ISO 8601, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class FormatSelect(forms.RadioSelect):
    """The format radios, with group mentoring shown but not selectable yet."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        if option["value"] == Program.Format.GROUP:
            option["attrs"]["disabled"] = True
            option["label"] = _("Group (coming soon)")
        return option


class ProgramForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the program is for and who it is for. Participants see this."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Program.Format.choices,
        initial=Program.Format.ONE_TO_ONE,
        widget=FormatSelect,
        help_text=_("One mentor with one mentee. Group mentoring is coming in a later release."),
    )
    is_evergreen = forms.BooleanField(
        label=_("Evergreen: runs continuously, without an end date"), required=False
    )
    starts_on = SensibleDateField(label=_("Start date"), required=False, widget=DateInput())
    ends_on = SensibleDateField(label=_("End date"), required=False, widget=DateInput())
    cadence = forms.ChoiceField(
        label=_("Expected check-ins"),
        choices=[
            *((str(days), label) for days, label in CADENCE_PRESETS.items()),
            (CUSTOM, _("Another interval")),
        ],
        initial="14",
        help_text=_("How often each pair is expected to meet."),
    )
    cadence_days = forms.IntegerField(
        label=_("Every how many days"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Only for another interval: a number of days between 1 and 365."),
    )
    default_mentor_capacity = forms.IntegerField(
        label=_("Default mentor capacity"),
        min_value=1,
        max_value=50,
        initial=2,
        help_text=_("How many mentees a mentor takes unless they set their own number."),
    )
    min_group_size = forms.IntegerField(
        label=_("Minimum group size for reports"),
        max_value=100,
        help_text=_("Report figures describing fewer people than this are hidden."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        initial="UTC",
        help_text=_("Where the program is run from; dates and deadlines follow it."),
    )
    join_requires_approval = forms.BooleanField(
        label=_("A coordinator approves people who join with the shareable link"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, program: Program | None = None, **kwargs: Any) -> None:
        if program is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(program)
        super().__init__(*args, **kwargs)
        floor = settings.MIN_GROUP_SIZE
        size = cast(forms.IntegerField, self.fields["min_group_size"])
        size.min_value = floor
        size.validators.append(MinValueValidator(floor))
        size.widget.attrs["min"] = floor
        size.initial = floor
        size.help_text = _(
            "Report figures describing fewer people than this are hidden (at least %(floor)s)."
        ) % {"floor": floor}
        zones = list(time_zone_names())
        current = program.time_zone if program is not None else "UTC"
        if current not in zones:
            zones.insert(0, current)
        zone_field = cast(forms.ChoiceField, self.fields["time_zone"])
        zone_field.choices = [(name, name.replace("_", " ")) for name in zones]
        zone_field.validators.append(validate_time_zone)

    @staticmethod
    def initial_for(program: Program) -> dict[str, Any]:
        days = program.checkin_cadence_days
        return {
            "name": program.name,
            "description": program.description,
            "format": program.format,
            "is_evergreen": program.is_evergreen,
            "starts_on": program.starts_on,
            "ends_on": program.ends_on,
            "cadence": str(days) if days in CADENCE_PRESETS else CUSTOM,
            "cadence_days": None if days in CADENCE_PRESETS else days,
            "default_mentor_capacity": program.default_mentor_capacity,
            "min_group_size": program.min_group_size,
            "time_zone": program.time_zone,
            "join_requires_approval": program.join_requires_approval,
        }

    def clean_format(self) -> str:
        value: str = self.cleaned_data["format"]
        if value != Program.Format.ONE_TO_ONE:
            raise ValidationError(
                _("Group mentoring is not available yet; choose one-to-one."), code="format"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("cadence") == CUSTOM:
            if not data.get("cadence_days") and "cadence_days" not in self.errors:
                self.add_error("cadence_days", _("Give the number of days between check-ins."))
        elif data.get("cadence"):
            data["cadence_days"] = int(data["cadence"])
        if not data.get("is_evergreen"):
            for name in ("starts_on", "ends_on"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name, _("Give a start and an end date, or mark the program as evergreen.")
                    )
            starts, ends = data.get("starts_on"), data.get("ends_on")
            if starts and ends and ends < starts:
                self.add_error("ends_on", _("The end date must not be before the start date."))
        return data

    def program_fields(self) -> dict[str, Any]:
        """The cleaned values, named as program_create / program_update take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "format": data["format"],
            "is_evergreen": data["is_evergreen"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "checkin_cadence_days": data["cadence_days"],
            "default_mentor_capacity": data["default_mentor_capacity"],
            "min_group_size": data["min_group_size"],
            "time_zone": data["time_zone"],
            "join_requires_approval": data["join_requires_approval"],
        }


class GoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=ProgramGoal.Metric.choices)
    target_value = forms.DecimalField(
        label=_("Target"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "Percent (0 to 100) for shares and rates; a score from 1 to 5 for satisfaction."
        ),
    )
    target_on = SensibleDateField(label=_("By"), widget=DateInput())


class CoordinatorAddForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("They need an account already; ask them to sign up first if they have none."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class JoinLinkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("enable", _("Turn on")), ("reset", _("Reset")), ("disable", _("Turn off"))]
    )


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(choices=Program.State.choices)


class ParticipantStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Participant.Status.choices)


@dataclass(frozen=True)
class PastedPerson:
    line: int
    email: str
    name: str


# "Ada Lovelace <ada@example.org>", "<ada@example.org>" or a bare address.
NAMED_ADDRESS = re.compile(r'^\s*"?(?P<name>[^"<>]*?)"?\s*<(?P<email>[^<>]*)>\s*$')
SEPARATORS = re.compile(r"[,;]")


def parse_pasted_people(text: str) -> tuple[list[PastedPerson], list[str]]:
    """People from a pasted list, and the problems found, each naming its line."""
    people: list[PastedPerson] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for entry in SEPARATORS.split(line):
            entry = entry.strip()
            if not entry:
                continue
            match = NAMED_ADDRESS.match(entry)
            name, email = (match["name"].strip(), match["email"].strip()) if match else ("", entry)
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    str(
                        _("Line %(line)s: “%(entry)s” is not a valid email address.")
                        % {"line": number, "entry": entry}
                    )
                )
                continue
            problem = name_problem(name) if name else ""
            if problem:
                problems.append(
                    str(
                        _("Line %(line)s: the name for %(email)s: %(problem)s")
                        % {"line": number, "email": email, "problem": problem}
                    )
                )
                continue
            email = email.lower()
            # The same person twice in one paste is invited once.
            if email in seen:
                continue
            seen.add(email)
            people.append(PastedPerson(line=number, email=email, name=name))
    return people, problems


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("Email addresses"),
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "ada@example.org\nGrace Hopper <grace@example.org>"}
        ),
        help_text=_(
            "One per line, or separated by commas or semicolons. "
            "You may add a name: Ada Lovelace <ada@example.org>."
        ),
    )
    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=Participant.Role.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.people: list[PastedPerson] = []

    def clean_emails(self) -> str:
        text: str = self.cleaned_data["emails"]
        people, problems = parse_pasted_people(text)
        if not people and not problems:
            raise ValidationError(_("Paste at least one email address."), code="empty")
        if len(people) > INVITE_MAX:
            raise ValidationError(
                _(
                    "That is %(count)s people; paste at most %(max)s at once, "
                    "or upload a CSV file for larger lists."
                ),
                code="too_many",
                params={"count": len(people), "max": INVITE_MAX},
            )
        enrolled = set(
            Participant.objects.filter(
                program=self.program, email__in=[p.email for p in people]
            ).values_list("email", flat=True)
        )
        problems.extend(
            str(
                _("Line %(line)s: %(email)s is already in this program.")
                % {"line": person.line, "email": person.email}
            )
            for person in people
            if person.email in enrolled
        )
        if problems:
            raise ValidationError(problems)
        self.people = people
        return text

    def invitees(self) -> list[Invitee]:
        role = self.cleaned_data["role"]
        return [Invitee(email=p.email, role=role, full_name=p.name) for p in self.people]


class ParticipantFilterForm(forms.Form):
    """The participant list's filters (a GET form; every field optional)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name or email"), "autocomplete": "off"}
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("All roles")), *Participant.Role.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Participant.Status.choices],
    )
    profile = forms.ChoiceField(
        label=_("Profile"),
        required=False,
        choices=[
            ("", _("Any profile")),
            ("incomplete", _("Not completed")),
            ("complete", _("Completed")),
        ],
    )

    def filters(self) -> dict[str, str]:
        """Valid filters only: a bad value in the address is ignored, not an error page."""
        if not self.is_valid():
            return {
                name: value
                for name, value in self.cleaned_data.items()
                if name not in self.errors and value
            }
        return {name: value for name, value in self.cleaned_data.items() if value}
