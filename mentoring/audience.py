"""Who something is meant for: mentors, mentees or both.

One vocabulary for every audience the product stores: profile questions, surveys and
their questions, guides and events. The platform knows no programs, so the roles a
participant can have are spelled here as the strings ``programs.Participant.Role``
stores ("mentor", "mentee").
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class Audience(models.TextChoices):
    BOTH = "both", _("Mentors and mentees")
    MENTORS = "mentors", _("Mentors")
    MENTEES = "mentees", _("Mentees")


MENTOR = "mentor"
MENTEE = "mentee"

# The participant roles each audience covers.
AUDIENCE_ROLES: dict[str, tuple[str, ...]] = {
    Audience.BOTH: (MENTOR, MENTEE),
    Audience.MENTORS: (MENTOR,),
    Audience.MENTEES: (MENTEE,),
}

# The audiences each participant role belongs to.
AUDIENCES_BY_ROLE: dict[str, tuple[str, ...]] = {
    MENTOR: (Audience.BOTH, Audience.MENTORS),
    MENTEE: (Audience.BOTH, Audience.MENTEES),
}

# Guides and events have always called BOTH "Everyone" on their pages and forms; the
# stored values are the same as everywhere else.
EVERYONE_CHOICES: list[tuple[str, StrOrPromise]] = [
    (Audience.BOTH.value, _("Everyone")),
    (Audience.MENTORS.value, Audience.MENTORS.label),
    (Audience.MENTEES.value, Audience.MENTEES.label),
]
