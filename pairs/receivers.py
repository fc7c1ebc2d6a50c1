"""What the pairs app does when the programs app announces something.

programs sits below pairs and must not import it, so where a program's change or
page involves its pairs, programs sends a signal (programs/signals.py) and these
receivers, connected in PairsConfig.ready, do the pairs' part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from mentoring.models import User
from pairs.mentorships import closure_reason_counts, mentorships_complete
from pairs.metrics import GoalProgress, goal_progress_list
from pairs.models import Mentorship
from programs.access import ProgramAccess
from programs.models import Program
from programs.signals import program_closed


@receiver(program_closed)
def complete_pairs_of_closed_program(
    sender: type[Program], *, program: Program, by: User, now: dt.datetime, **kwargs: Any
) -> None:
    # Pairs still meeting when the program closes have completed it.
    mentorships_complete(program=program, by=by, now=now)


def measure_program_goals(program: Program) -> list[GoalProgress]:
    """The program page's goal rows (registered in programs.pages)."""
    return goal_progress_list(program=program)


def pairs_on_program_overview(access: ProgramAccess) -> dict[str, Any]:
    """Closures for coordinators; the person's own active mentorship (to end it early)
    for participants."""
    program = access.program
    if access.is_coordinator:
        return {"closures": closure_reason_counts(program=program)}
    participant = access.participant
    if participant is None:
        return {}
    mine = (
        Mentorship.objects.filter(program=program, state=Mentorship.State.ACTIVE)
        .filter(Q(mentor=participant) | Q(mentee=participant))
        .select_related("mentor", "mentee")
        .first()
    )
    partner = None
    if mine is not None:
        partner = mine.mentee if mine.mentor_id == participant.pk else mine.mentor
    return {"my_mentorship": mine, "my_partner": partner}
