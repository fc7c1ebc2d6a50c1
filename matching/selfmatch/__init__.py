"""Self-match: a mentee browses recommended mentors, asks up to N of them in order of
preference, and each mentor in turn accepts or declines.

Only one of a mentee's requests waits for an answer at a time (``pending``); the
others are ``queued`` behind it by rank. A declined, expired or withdrawn pending
request passes to the next queued choice; a choice whose mentor has no free place
left when its turn comes is ``skipped``. A pending request holds one of the
mentor's places: a mentor's free places are their capacity minus their active
mentorships minus the pending requests to them.

Locks, always in this order so that two writers never wait on each other: the
mentee's Participant row, then the request rows, then one mentor's Participant row.
Giving a place (making a request pending) counts the mentor's places under the
mentor's row lock, so two mentees racing for a last place cannot both get it.
"""

from matching.selfmatch.forms import DeclineForm, RequestForm, SelfMatchSettingsForm
from matching.selfmatch.notices import (
    DELIVERY_KIND,
    NOTICE_ACCEPTED,
    NOTICE_DECLINED,
    NOTICE_EXPIRED,
    NOTICE_NEW,
    NOTICE_STATES,
    NOTICES,
    match_request_notice_send,
)
from matching.selfmatch.selectors import (
    OPEN_STATES,
    RECOMMENDED_LIMIT,
    Recommendation,
    State,
    mentee_has_mentor,
    program_has_criteria,
    reasons_of,
    recommended_mentors,
    request_list_for_mentee,
    request_list_for_mentor,
    settings_get,
)
from matching.selfmatch.services import (
    EXPIRE_BATCH,
    EXPIRE_BATCHES_PER_SWEEP,
    MatchingError,
    RequestOutcome,
    match_request_answer,
    match_request_create,
    match_request_withdraw,
    match_requests_expire,
    match_requests_mentor_left,
    settings_save,
)

__all__ = [
    "DELIVERY_KIND",
    "EXPIRE_BATCH",
    "EXPIRE_BATCHES_PER_SWEEP",
    "NOTICES",
    "NOTICE_ACCEPTED",
    "NOTICE_DECLINED",
    "NOTICE_EXPIRED",
    "NOTICE_NEW",
    "NOTICE_STATES",
    "OPEN_STATES",
    "RECOMMENDED_LIMIT",
    "DeclineForm",
    "MatchingError",
    "Recommendation",
    "RequestForm",
    "RequestOutcome",
    "SelfMatchSettingsForm",
    "State",
    "match_request_answer",
    "match_request_create",
    "match_request_notice_send",
    "match_request_withdraw",
    "match_requests_expire",
    "match_requests_mentor_left",
    "mentee_has_mentor",
    "program_has_criteria",
    "reasons_of",
    "recommended_mentors",
    "request_list_for_mentee",
    "request_list_for_mentor",
    "settings_get",
    "settings_save",
]
