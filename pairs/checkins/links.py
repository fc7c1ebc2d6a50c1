"""The one-click "we met" / "we didn't" links in reminder emails: signed, expiring,
recording once however often they are pressed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from mentoring.emails import absolute_url
from mentoring.models import User
from pairs.models import CheckIn
from pairs.selectors import side_of

Status = CheckIn.Status

OUTCOMES = (Status.DONE, Status.MISSED)

# Part of every link already sent: changing it would break them all.
LINK_SALT = "programs.checkins.log-link"


def log_link_token(*, checkin: CheckIn, user: User, outcome: str) -> str:
    return signing.dumps(
        {"c": checkin.pk, "u": user.pk, "o": outcome, "s": str(checkin.scheduled_at.timestamp())},
        salt=LINK_SALT,
        compress=True,
    )


def log_link_url(*, checkin: CheckIn, user: User, outcome: str) -> str:
    token = log_link_token(checkin=checkin, user=user, outcome=outcome)
    return absolute_url(reverse("pairs:checkin_log_link", args=[token]))


@dataclass(frozen=True)
class LinkResult:
    ok: bool
    # "ready" (opened: the button would record it), "recorded" (now), "already" (this
    # person logged it before), "expired", "invalid", "moved" (the check-in changed
    # since), "refused" (e.g. cancelled).
    outcome: str
    checkin: CheckIn | None = None
    # The check-in's status after the press; for "ready", the answer the link carries.
    recorded: str = ""
    person: User | None = None  # whose link it is (for their time zone on the page)


def link_check(token: str) -> tuple[LinkResult, User | None, str]:
    """What a link may do now, without writing: "ready" when pressing it would log."""
    max_age = dt.timedelta(days=settings.CHECKIN_LINK_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        return LinkResult(False, "expired"), None, ""
    except signing.BadSignature:
        return LinkResult(False, "invalid"), None, ""
    if not isinstance(data, dict):
        return LinkResult(False, "invalid"), None, ""
    checkin_id, user_id, outcome = data.get("c"), data.get("u"), data.get("o")
    if not isinstance(checkin_id, int) or not isinstance(user_id, int):
        return LinkResult(False, "invalid"), None, ""
    checkin = (
        CheckIn.objects.select_related("mentorship__mentor__user", "mentorship__mentee__user")
        .filter(pk=checkin_id)
        .first()
    )
    user = User.objects.filter(pk=user_id).first()
    if checkin is None or user is None or outcome not in OUTCOMES:
        return LinkResult(False, "invalid"), None, ""
    side = side_of(checkin.mentorship, user)
    if not side:
        return LinkResult(False, "invalid"), None, ""
    if str(checkin.scheduled_at.timestamp()) != data.get("s"):
        return LinkResult(False, "moved", checkin), None, ""
    logged_at = checkin.mentor_logged_at if side == "mentor" else checkin.mentee_logged_at
    if logged_at is not None:
        return LinkResult(True, "already", checkin, checkin.status), None, ""
    return LinkResult(True, "ready", checkin, outcome, person=user), user, outcome


def checkin_link_read(token: str) -> LinkResult:
    """What an emailed "we met" / "we didn't" link would record, recording nothing.

    Opening a link (a GET, which mail security scanners do to every link) only shows
    the one button that records it; ``recorded`` then holds the answer the link carries.
    """
    return link_check(token)[0]
