"""What the API reads and writes. Field names follow the models; nothing private
(check-in notes, demographics, survey answers) has a schema here."""

# No "from __future__ import annotations": ninja reads these annotations at run time.
import datetime as dt
from typing import Literal

from ninja import Field, Schema

from integrations.api.core import (
    Email,
    LongText,
    Name,
    OptionalEmail,
    OptionalTimeZone,
    Text120,
    Text150,
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
    full_name: Text150 = ""
    department: Text120 = ""
    job_title: Text120 = ""
    manager_email: OptionalEmail = ""
    location: Text120 = ""
    time_zone: OptionalTimeZone = ""


class ParticipantPatch(Schema):
    """Only the fields sent change; all changes apply together or none does."""

    full_name: Text150 | None = None
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
