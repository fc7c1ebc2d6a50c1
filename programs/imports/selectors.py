"""What a participant import reads from the database besides the import itself."""

from __future__ import annotations

from collections.abc import Sequence

from mentoring.models import User
from programs.models import Participant, Program
from programs.services import Invitee


def enrolled_in(program: Program) -> dict[str, tuple[str, str]]:
    """Everyone in the program by email, theirs and their account's: one query."""
    enrolled: dict[str, tuple[str, str]] = {}
    rows = Participant.objects.filter(program=program).values_list(
        "email", "user__email", "role", "status"
    )
    for email, user_email, role, status in rows:
        enrolled[email.lower()] = (role, status)
        if user_email:
            enrolled.setdefault(user_email.lower(), (role, status))
    return enrolled


def with_account_count(invitees: Sequence[Invitee]) -> int:
    if not invitees:
        return 0
    return User.objects.filter(email__in=[invitee.email for invitee in invitees]).count()
