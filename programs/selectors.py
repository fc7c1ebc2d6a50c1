"""Reads of the programs app, always scoped to the person asking.

Every list is annotated in the database, so a page costs the same number of
queries whether it shows five rows or five hundred.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from mentoring.models import User
from programs.models import Participant, Program, ProgramStateChange

# People who still take part (or are about to): everyone except the withdrawn.
ENROLLED_STATUSES = (
    Participant.Status.APPLIED,
    Participant.Status.INVITED,
    Participant.Status.ACTIVE,
    Participant.Status.PAUSED,
)


def _with_counts(programs: QuerySet[Program]) -> QuerySet[Program]:
    enrolled = Q(participants__status__in=ENROLLED_STATUSES)
    return programs.annotate(
        mentor_count=Count(
            "participants", filter=enrolled & Q(participants__role=Participant.Role.MENTOR)
        ),
        mentee_count=Count(
            "participants", filter=enrolled & Q(participants__role=Participant.Role.MENTEE)
        ),
        participant_count=Count("participants", filter=enrolled),
    )


def program_list(*, user: User) -> QuerySet[Program]:
    """Programs this person may open: all for HR and admins, otherwise their own.

    Each row carries mentor_count, mentee_count and participant_count (withdrawn people
    excluded), is_coordinated (whether this person coordinates it), and my_role and
    my_status (their own enrolment, if any).
    """
    coordinatorships = Program.coordinators.through.objects.filter(user_id=user.pk)
    programs = Program.objects.all()
    if not (user.is_hr_viewer or user.is_staff):
        member_of = (
            Participant.objects.filter(user=user)
            .exclude(status=Participant.Status.WITHDRAWN)
            .exclude(program__state=Program.State.DRAFT)
        )
        programs = programs.filter(
            Q(pk__in=coordinatorships.values("program_id"))
            | Q(pk__in=member_of.values("program_id"))
        )
    mine = Participant.objects.filter(program_id=OuterRef("pk"), user_id=user.pk)
    return (
        _with_counts(programs)
        .annotate(
            is_coordinated=Exists(coordinatorships.filter(program_id=OuterRef("pk"))),
            my_role=Subquery(mine.values("role")[:1]),
            my_status=Subquery(mine.values("status")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def program_coordinated_list(*, user: User) -> QuerySet[Program]:
    """Programs this person coordinates, with counts (the home page's coordinator card)."""
    return _with_counts(Program.objects.filter(coordinators=user)).order_by("-created_at", "-id")


def participation_list(*, user: User) -> QuerySet[Participant]:
    """This person's own enrolments in programs that are open to them, with the program."""
    return (
        Participant.objects.filter(user=user)
        .exclude(status=Participant.Status.WITHDRAWN)
        .exclude(program__state=Program.State.DRAFT)
        .select_related("program")
        .order_by("-program__created_at", "-program_id")
    )


@dataclass(frozen=True)
class EnrolmentSummary:
    """Counts of a program's participants by role and status (aggregates only)."""

    by_role_status: dict[tuple[str, str], int]
    profiles_completed: int  # active participants who have completed their profile
    profiles_incomplete: int  # active participants who have not

    def count(self, *, role: str | None = None, status: str | None = None) -> int:
        return sum(
            n
            for (r, s), n in self.by_role_status.items()
            if (role is None or r == role) and (status is None or s == status)
        )

    @property
    def total(self) -> int:
        return sum(
            n for (_r, s), n in self.by_role_status.items() if s != Participant.Status.WITHDRAWN
        )

    def table(self) -> list[dict[str, object]]:
        """One row per status, with a column per role and a total, in display order."""
        rows: list[dict[str, object]] = []
        for status in Participant.Status:
            mentors = self.count(role=Participant.Role.MENTOR, status=status)
            mentees = self.count(role=Participant.Role.MENTEE, status=status)
            rows.append(
                {
                    "status": status.value,
                    "label": status.label,
                    "mentors": mentors,
                    "mentees": mentees,
                    "total": mentors + mentees,
                }
            )
        return rows


def enrolment_summary(*, program: Program) -> EnrolmentSummary:
    rows = (
        Participant.objects.filter(program=program)
        .order_by()
        .values("role", "status")
        .annotate(
            n=Count("id"),
            completed=Count("id", filter=Q(profile_completed_at__isnull=False)),
        )
    )
    by_role_status: dict[tuple[str, str], int] = {}
    completed = incomplete = 0
    for row in rows:
        by_role_status[(row["role"], row["status"])] = row["n"]
        if row["status"] == Participant.Status.ACTIVE:
            completed += row["completed"]
            incomplete += row["n"] - row["completed"]
    return EnrolmentSummary(by_role_status, completed, incomplete)


def state_change_list(*, program: Program, limit: int = 5) -> list[ProgramStateChange]:
    return list(
        ProgramStateChange.objects.filter(program=program).select_related("changed_by")[:limit]
    )


def participant_list(
    *,
    program: Program,
    role: str = "",
    status: str = "",
    profile: str = "",
    search: str = "",
) -> QuerySet[Participant]:
    """A program's participants for its coordinators, filtered, one query per page.

    Each row carries shown_name and shown_department: what the person said about
    themselves wins over what the coordinator knew when inviting them.
    """
    participants = Participant.objects.filter(program=program)
    if role:
        participants = participants.filter(role=role)
    if status:
        participants = participants.filter(status=status)
    if profile == "incomplete":
        participants = participants.filter(profile_completed_at__isnull=True)
    elif profile == "complete":
        participants = participants.filter(profile_completed_at__isnull=False)
    search = search.strip()
    if search:
        participants = participants.filter(
            Q(full_name__icontains=search)
            | Q(email__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(user__preferred_name__icontains=search)
        )
    return (
        participants.select_related("user")
        .annotate(
            shown_department=Coalesce(
                NullIf(F("user__profile__department"), Value("")), F("department")
            ),
        )
        .order_by("full_name", "email", "id")
    )


def participant_totals(*, program: Program) -> dict[str, int]:
    """How many people are enrolled, and how many active ones have not completed their
    profile (those a reminder would go to, reminded recently or not)."""
    return program.participants.aggregate(
        enrolled=Count("id", filter=~Q(status=Participant.Status.WITHDRAWN)),
        incomplete=Count(
            "id",
            filter=Q(status=Participant.Status.ACTIVE, profile_completed_at__isnull=True),
        ),
    )
