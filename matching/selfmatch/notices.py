"""The emails of a request (new, declined, expired, accepted), each sent once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from matching.models import MatchRequest
from matching.selfmatch.selectors import State, reasons_of
from mentoring.emails import absolute_url
from mentoring.models import Delivery, User
from mentoring.notifications import Kind, notification_send

# Notices (emails), each sent at most once per request.
NOTICE_NEW = "new"  # to the mentor: a mentee asks you
NOTICE_DECLINED = "declined"  # to the mentee, with their next choice if any
NOTICE_EXPIRED = "expired"  # to the mentee, with their next choice if any
NOTICE_ACCEPTED = "accepted"  # to both: you have a match, with the reasons
NOTICES = (NOTICE_NEW, NOTICE_DECLINED, NOTICE_EXPIRED, NOTICE_ACCEPTED)
DELIVERY_KIND = "match-request"

# The state a request must still be in for its notice to go out.
NOTICE_STATES = {
    NOTICE_NEW: State.PENDING,
    NOTICE_DECLINED: State.DECLINED,
    NOTICE_EXPIRED: State.EXPIRED,
    NOTICE_ACCEPTED: State.ACCEPTED,
}


def _send(*, to: User, template: str, context: dict[str, Any]) -> None:
    notification_send(to=to, kind=Kind.MATCH_REQUESTS, template=template, context=context)


def match_request_notice_send(*, request_id: int, notice: str) -> int:
    """Email one notice of one request, once. Returns how many emails went out now."""
    if notice not in NOTICES:
        raise ValueError(f"unknown notice: {notice}")
    with transaction.atomic():
        request = (
            MatchRequest.objects.select_for_update(of=("self",))
            .select_related("program", "mentee", "mentee__user", "mentor", "mentor__user")
            .filter(pk=request_id)
            .first()
        )
        if request is None or request.state != NOTICE_STATES[notice]:
            return 0
        if not Delivery.objects.claim(kind=DELIVERY_KIND, key=f"{request_id}:{notice}"):
            return 0
        program = request.program
        mentee, mentor = request.mentee, request.mentor
        context: dict[str, Any] = {
            "program": program,
            "request": request,
            "mentee": mentee,
            "mentor": mentor,
            "reasons": reasons_of(request.explanation),
        }
        sent = 0
        if notice == NOTICE_NEW and mentor.user is not None:
            link = absolute_url(reverse("matching:selfmatch_incoming", args=[program.pk]))
            _send(
                to=mentor.user, template="matching/request_new", context={**context, "link": link}
            )
            sent += 1
        elif notice in (NOTICE_DECLINED, NOTICE_EXPIRED) and mentee.user is not None:
            next_request = (
                MatchRequest.objects.filter(mentee=mentee, state=State.PENDING)
                .select_related("mentor")
                .first()
            )
            link = absolute_url(reverse("matching:selfmatch_mine", args=[program.pk]))
            find = absolute_url(reverse("matching:selfmatch_find", args=[program.pk]))
            _send(
                to=mentee.user,
                template="matching/request_passed",
                context={
                    **context,
                    "notice": notice,
                    "next_request": next_request,
                    "link": link,
                    "find_link": find,
                },
            )
            sent += 1
        elif notice == NOTICE_ACCEPTED:
            link = absolute_url(reverse("programs:program_overview", args=[program.pk]))
            for person, partner in ((mentee, mentor), (mentor, mentee)):
                if person.user is None:
                    continue
                _send(
                    to=person.user,
                    template="matching/request_accepted",
                    context={
                        **context,
                        "partner": partner,
                        "is_mentee": person == mentee,
                        "link": link,
                    },
                )
                sent += 1
        return sent
