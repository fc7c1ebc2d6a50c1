"""What the API reads and writes. Field names follow the models; nothing private
(check-in notes, demographics, survey answers) has a schema here."""

# No "from __future__ import annotations": ninja reads these annotations at run time.
import datetime as dt
from typing import Literal

from ninja import Field, Schema

from integrations.api.core import (
    Email,
    Id,
    LongText,
    Name,
    OptionalEmail,
    OptionalTimeZone,
    PersonName,
    Text120,
    TimeZone,
)

ProgramState = Literal["draft", "enrolling", "matching", "running", "closed"]
Role = Literal["mentor", "mentee"]
ParticipantStatus = Literal["applied", "invited", "active", "paused", "withdrawn"]
MentorshipState = Literal["active", "completed", "ended"]


class ProgramOut(Schema):
    id: int
    name: str
    description: str
    format: str
    state: ProgramState
    starts_on: dt.date | None
    ends_on: dt.date | None
    is_evergreen: bool
    checkin_cadence_days: int
    default_mentor_capacity: int
    min_group_size: int
    time_zone: str
    mentor_count: int
    mentee_count: int
    participant_count: int
    created_at: dt.datetime


class ProgramIn(Schema):
    # The documented example is a valid request (a program needs both dates or
    # "evergreen"), so readers and property-based clients start from one that works.
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Emerging Leaders 2027",
                    "starts_on": "2027-01-11",
                    "ends_on": "2027-06-30",
                }
            ]
        }
    }

    name: Name
    description: LongText = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    is_evergreen: bool = False
    checkin_cadence_days: int = Field(14, ge=1, le=365)
    default_mentor_capacity: int = Field(2, ge=1, le=50)
    # At least the site's MIN_GROUP_SIZE; a smaller number is raised to it.
    min_group_size: int = Field(5, ge=2, le=100)
    time_zone: TimeZone = "UTC"
    join_requires_approval: bool = True


class ProgramFilter(Schema):
    state: ProgramState | None = None


class ParticipantOut(Schema):
    id: int
    email: str
    full_name: str
    role: Role
    status: ParticipantStatus
    department: str
    job_title: str
    manager_email: str
    location: str
    time_zone: str
    capacity: int | None
    has_account: bool
    profile_complete: bool
    joined_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_has_account(obj: object) -> bool:
        return getattr(obj, "user_id", None) is not None

    @staticmethod
    def resolve_profile_complete(obj: object) -> bool:
        return getattr(obj, "profile_completed_at", None) is not None


class ParticipantFilter(Schema):
    role: Role | None = None
    status: ParticipantStatus | None = None


class EnrolIn(Schema):
    email: Email
    role: Role
    full_name: PersonName = ""
    department: Text120 = ""
    job_title: Text120 = ""
    manager_email: OptionalEmail = ""
    location: Text120 = ""
    time_zone: OptionalTimeZone = ""


class ParticipantPatch(Schema):
    """Only the fields sent change; all changes apply together or none does."""

    full_name: PersonName | None = None
    department: Text120 | None = None
    job_title: Text120 | None = None
    manager_email: OptionalEmail | None = None
    location: Text120 | None = None
    time_zone: TimeZone | None = None
    capacity: int | None = Field(None, ge=0, le=50)
    status: Literal["active", "paused", "withdrawn"] | None = None


class ProfileOut(Schema):
    """A participant's profile as their coordinators see it; never demographics."""

    participant_id: int
    full_name: str
    role: Role
    job_title: str
    department: str
    location: str
    seniority: int | None
    languages: list[str]
    skills: list[str]
    interests: list[str]
    career_aspirations: str
    bio: str


class MentorshipOut(Schema):
    id: int
    mentor_participant_id: int
    mentee_participant_id: int
    state: MentorshipState
    source: str
    score: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str

    @staticmethod
    def resolve_mentor_participant_id(obj: object) -> int:
        return int(getattr(obj, "mentor_id"))  # noqa: B009

    @staticmethod
    def resolve_mentee_participant_id(obj: object) -> int:
        return int(getattr(obj, "mentee_id"))  # noqa: B009


class MentorshipFilter(Schema):
    state: MentorshipState | None = None


# -- Check-ins: dates, statuses and counts only -------------------------------------

CheckInStatus = Literal["proposed", "scheduled", "done", "missed", "cancelled"]
Health = Literal["on_track", "due", "overdue", "inactive"]


class CheckInOut(Schema):
    """When a pair met (or meant to) and whether they did; never what they said."""

    id: int
    mentorship_id: int
    status: CheckInStatus
    scheduled_at: dt.datetime
    duration_minutes: int
    logged_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class CheckInFilter(Schema):
    mentorship_id: Id | None = None
    status: CheckInStatus | None = None
    # Days in UTC, both included: check-ins scheduled on or after since, on or before until.
    since: dt.date | None = None
    until: dt.date | None = None


class CheckInPeriod(Schema):
    since: dt.date | None = None
    until: dt.date | None = None


class CheckInCounts(Schema):
    proposed: int
    scheduled: int
    done: int
    missed: int
    cancelled: int
    # The length of the check-ins that took place, in minutes.
    minutes_met: int
    first_met_at: dt.datetime | None
    last_met_at: dt.datetime | None
    # The next scheduled check-in still to come.
    next_scheduled_at: dt.datetime | None


class HealthCounts(Schema):
    on_track: int
    due: int
    overdue: int
    inactive: int


class ProgramCheckInSummaryOut(CheckInCounts):
    program_id: int
    # Pairs that met at least once (in the period, when one is given).
    pairs_met: int
    # The program's active pairs by how well they keep the cadence, today.
    health: HealthCounts


class MentorshipCheckInSummaryOut(CheckInCounts):
    mentorship_id: int
    state: MentorshipState
    started_at: dt.datetime
    ended_at: dt.datetime | None
    # Active pairs only: on track, due, overdue or inactive, by the program's cadence.
    health: Health | None


class MentorshipCheckInFilter(Schema):
    state: MentorshipState | None = None
    health: Health | None = None


# -- Surveys: the same suppressed figures as the results page --------------------------

SurveyState = Literal["draft", "open", "closed"]


class SurveyOut(Schema):
    id: int
    title: str
    state: SurveyState
    is_anonymous: bool
    audience: Literal["both", "mentors", "mentees"]
    trigger: str
    published_at: dt.datetime | None
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    invited: int
    question_count: int

    @staticmethod
    def resolve_invited(obj: object) -> int:
        return int(getattr(obj, "n_invited", 0))

    @staticmethod
    def resolve_question_count(obj: object) -> int:
        return int(getattr(obj, "n_questions", 0))


class SurveyFilter(Schema):
    state: SurveyState | None = None


class SurveyResultsFilter(Schema):
    # Rows of the same suppressed tables, for one role.
    role: Role | None = None


# Every count below is null when it is hidden (fewer people than the minimum group size,
# or a number that would give a hidden one back).
class RoleCountOut(Schema):
    role: Role
    invited: int | None
    answered: int | None


class WeekOut(Schema):
    week_on: dt.date
    responses: int | None
    average: float | None = None


class OptionOut(Schema):
    label: str
    count: int | None
    percent: int | None


class QuestionRoleOut(Schema):
    role: Role
    answered: int | None
    # One per option, in the order of the question's options.
    counts: list[int | None]
    average: float | None
    nps: int | None


class TextAnswerOut(Schema):
    text: str
    # Identified surveys only; null in anonymous ones.
    name: str | None


class QuestionResultOut(Schema):
    id: int
    text: str
    kind: Literal["rating", "nps", "single_choice", "multi_choice", "text"]
    answered: int | None
    average: float | None
    nps: int | None
    options: list[OptionOut]
    roles: list[QuestionRoleOut]
    weeks: list[WeekOut]
    texts: list[TextAnswerOut]
    # An anonymous survey's free text, held back until enough people answered.
    texts_withheld: bool


class SurveyResultsOut(Schema):
    survey: SurveyOut
    minimum_group_size: int
    invited: int | None
    answered: int | None
    response_rate: int | None  # percent
    role: Role | None
    roles: list[RoleCountOut]
    weeks: list[WeekOut]
    questions: list[QuestionResultOut]


class HrProgramRowOut(Schema):
    program_id: int
    name: str
    # Responses per role, in the order of "roles".
    responses: list[int | None]
    total: int | None
    average_rating: float | None
    nps: int | None


class HrSurveyOverviewOut(Schema):
    minimum_group_size: int
    roles: list[Role]
    programs: list[HrProgramRowOut]
    responses: list[int | None]
    total: int | None
    average_rating: float | None
    nps: int | None


# -- HR's outcome file -------------------------------------------------------------


class OutcomeImportOut(Schema):
    id: int
    file_name: str
    uploaded_at: dt.datetime
    employees: int
    leavers: int
    promotions: int
    notices: list[str]


class OutcomeProblemOut(Schema):
    row: int  # 0: the file as a whole, 1: the header, then the spreadsheet's row number
    column: str
    letter: str
    value: str
    message: str


class OutcomeProblemsOut(Schema):
    """A file that was refused: nothing changed; every problem is listed by row."""

    detail: str
    problem_count: int = 0
    problems: list[OutcomeProblemOut] = []
    notices: list[str] = []
