"""Deleting a person's account: their personal data goes, the numbers stay right.

The flow (docs/data-rights.md says it for people):

1. On "Your data" the person signs in again and asks (:func:`erasure_request_create`);
   a link goes to their address (valid ``LINK_HOURS``), proving the mailbox is theirs.
2. Following the link and pressing the button confirms (:func:`erasure_request_confirm`);
   a worker then carries it out right after commit (``erase_account_task``). Until they
   confirm they may cancel. A site admin may also carry out an open request from the
   staff page (for a request that came by another route, or a worker that failed).
3. :func:`erasure_execute` does everything in ONE transaction, so a failure anywhere
   leaves nothing half-done; running it again for a carried-out request does nothing.

What it does, in short: the account row stays (so every count, pair and check-in keeps
its link) but becomes a pseudonym: the address becomes ``erased-<id>@erased.invalid``,
names are emptied, sign-in is impossible (inactive, no password, no addresses, no SSO
link, no second factor, sessions ended, API tokens revoked, calendar address reset).
The same placeholder replaces the old address wherever it was a join key
(enrolments, HR's employee records, other people's "manager's email"), so HR's outcome
figures and the promotion goal still count this person the same way. Free text they
wrote goes (profile, profile answers, identified free-text survey answers, the notes of
check-ins only they logged, goals they created, an agreement they last edited, notes on
self-match requests); the numbers stay (check-ins held, ratings, survey scores). Active
mentorships end with a structured reason and the partner mentee is first in line for a
new match; enrolments are withdrawn. Partners and the coordinators of the person's
programs are told that the person left, without a name or a reason.
"""

# The package: ``requests`` (asking, confirming, cancelling), ``execute`` (carrying it
# out in one transaction) and ``notices`` (its emails); their public names are
# importable from here.

from __future__ import annotations

from privacy.erasure.execute import (
    Erasure,
    erasure_execute,
)
from privacy.erasure.notices import (
    erasure_confirmation_send,
    erasure_done_send,
    erasure_notices_send,
)
from privacy.erasure.requests import (
    DELIVERY_CONFIRM,
    DELIVERY_COORDINATOR,
    DELIVERY_DONE,
    DELIVERY_PARTNER,
    END_REASON,
    LINK_HOURS,
    LINK_SALT,
    NAME_REDACTED,
    ErasureError,
    State,
    erasure_link_token,
    erasure_link_url,
    erasure_request_cancel,
    erasure_request_confirm,
    erasure_request_create,
    erasure_request_from_token,
    erasure_request_list,
    erasure_request_open,
)

__all__ = [
    "DELIVERY_CONFIRM",
    "DELIVERY_COORDINATOR",
    "DELIVERY_DONE",
    "DELIVERY_PARTNER",
    "END_REASON",
    "LINK_HOURS",
    "LINK_SALT",
    "NAME_REDACTED",
    "Erasure",
    "ErasureError",
    "State",
    "erasure_confirmation_send",
    "erasure_done_send",
    "erasure_execute",
    "erasure_link_token",
    "erasure_link_url",
    "erasure_notices_send",
    "erasure_request_cancel",
    "erasure_request_confirm",
    "erasure_request_create",
    "erasure_request_from_token",
    "erasure_request_list",
    "erasure_request_open",
]
