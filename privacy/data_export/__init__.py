"""A person's own data, as one JSON document (the "Your data" page's download).

Everything the platform holds about the person asking, and nothing about anyone else
beyond a partner's name: their account, profile, enrolments and profile answers, their
side of each mentorship with the pair's check-ins, agreement and goals, the survey
answers they gave *identified* (anonymous answers are not linked to anyone, by design,
so they cannot be found and are never included), event answers, preferences, API
tokens (names and scopes, never secrets), the audit log's entries about them and what
was sent to them.

The document is streamed: each section is one query (``select_related`` only, read
with ``.iterator()``, a server-side cursor on PostgreSQL), so memory stays bounded and
the number of queries is the same whether the person has ten check-ins or ten
thousand. The sections are flat lists that refer to each other by id (a check-in
names its mentorship), which is what keeps it to one query each.
"""

# The package: ``records`` (one reader per kind of record the person has) and
# ``stream`` (the download, written as it is read); their public names are importable from here.

from __future__ import annotations

from privacy.data_export.records import (
    CHUNK,
    FLUSH_AT,
    FORMAT_VERSION,
    Section,
    account_records,
    api_tokens,
    audit_events,
    checkins,
    deliveries,
    event_rsvps,
    match_requests,
    mentorships,
    milestones,
    pair_goals,
    participations,
    preferences_records,
    profile_answers,
    profile_records,
    resource_views,
    survey_answers,
    survey_invitations,
    survey_responses,
)
from privacy.data_export.stream import (
    personal_data_filename,
    personal_data_stream,
)

__all__ = [
    "CHUNK",
    "FLUSH_AT",
    "FORMAT_VERSION",
    "Section",
    "account_records",
    "api_tokens",
    "audit_events",
    "checkins",
    "deliveries",
    "event_rsvps",
    "match_requests",
    "mentorships",
    "milestones",
    "pair_goals",
    "participations",
    "personal_data_filename",
    "personal_data_stream",
    "preferences_records",
    "profile_answers",
    "profile_records",
    "resource_views",
    "survey_answers",
    "survey_invitations",
    "survey_responses",
]
