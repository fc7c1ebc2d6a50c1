"""The personal-data download: every section, streamed as JSON while it is read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from mentoring.models import User
from privacy.data_export.records import (
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


def _sections(user: User) -> list[Section]:
    return [
        ("account", lambda: account_records(user), False),
        ("profile", lambda: profile_records(user), False),
        ("participations", lambda: participations(user), True),
        ("profile_answers", lambda: profile_answers(user), True),
        ("mentorships", lambda: mentorships(user), True),
        ("checkins", lambda: checkins(user), True),
        ("pair_goals", lambda: pair_goals(user), True),
        ("milestones", lambda: milestones(user), True),
        ("match_requests", lambda: match_requests(user), True),
        ("survey_invitations", lambda: survey_invitations(user), True),
        ("survey_responses", lambda: survey_responses(user), True),
        ("survey_answers", lambda: survey_answers(user), True),
        ("event_rsvps", lambda: event_rsvps(user), True),
        ("resource_views", lambda: resource_views(user), True),
        ("preferences", lambda: preferences_records(user), False),
        ("api_tokens", lambda: api_tokens(user), True),
        ("audit_events", lambda: audit_events(user), True),
        ("deliveries", lambda: deliveries(user), True),
    ]


def _pieces(user: User) -> Iterator[str]:
    encode = DjangoJSONEncoder(ensure_ascii=False).encode
    header = {
        "format": f"{settings.SITE_NAME} personal data, version {FORMAT_VERSION}",
        "generated_at": timezone.now().isoformat(),
        "user_id": user.pk,
    }
    yield encode(header)[:-1]  # the header's fields open the document
    for key, produce, is_list in _sections(user):
        yield f",\n{json.dumps(key)}: "
        if not is_list:
            yield encode(produce())
            continue
        yield "["
        items: Iterable[Any] = produce()
        for index, item in enumerate(items):
            yield ("," if index else "") + "\n  " + encode(item)
        yield "\n]"
    yield "\n}\n"


def personal_data_stream(*, user: User) -> Iterator[bytes]:
    """The document in pieces of about FLUSH_AT characters, UTF-8 encoded."""
    buffer: list[str] = []
    size = 0
    for piece in _pieces(user):
        buffer.append(piece)
        size += len(piece)
        if size >= FLUSH_AT:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def personal_data_filename(user: User) -> str:
    return f"my-data-{timezone.localdate():%Y-%m-%d}.json"
