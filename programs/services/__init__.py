"""Writes of the programs app. Keyword-only, typed, named <noun>_<verb>.

One module per area: ``lifecycle`` (programs, their state, coordinators, the join
link, goals), ``enrolment`` (invitations and their sweep, joining, participants),
``profiles`` (profiles and their reminders); their public names are importable from
here.
"""

from __future__ import annotations

from programs.services.base import (
    INVITE_SALT,
    INVITE_VALID_FOR,
    ProgramError,
    logger,
)
from programs.services.enrolment import (
    DELIVERY_INVITATION,
    INVITATION_FAILURES_IN_A_ROW,
    PARTICIPANT_EDITABLE_FIELDS,
    PARTICIPANT_TRANSITIONS,
    Invitee,
    invitation_send,
    invitations_send,
    invitations_sweep,
    invite_token_make,
    invite_token_participant,
    mentor_capacity_set,
    participant_invitation_accept,
    participant_invitation_resend,
    participant_join_by_link,
    participant_status_set,
    participant_update,
    participants_invite,
)
from programs.services.lifecycle import (
    PROGRAM_EDITABLE_FIELDS,
    PROGRAM_TRANSITIONS,
    program_allowed_transitions,
    program_coordinator_add,
    program_coordinator_remove,
    program_create,
    program_goal_delete,
    program_goal_set,
    program_join_link_disable,
    program_join_link_enable,
    program_transition,
    program_update,
)
from programs.services.profiles import (
    PROFILE_REMINDER_INTERVAL,
    profile_reminder_send,
    profile_reminders_queue,
    profile_seed,
)

__all__ = [
    "DELIVERY_INVITATION",
    "INVITATION_FAILURES_IN_A_ROW",
    "INVITE_SALT",
    "INVITE_VALID_FOR",
    "PARTICIPANT_EDITABLE_FIELDS",
    "PARTICIPANT_TRANSITIONS",
    "PROFILE_REMINDER_INTERVAL",
    "PROGRAM_EDITABLE_FIELDS",
    "PROGRAM_TRANSITIONS",
    "Invitee",
    "ProgramError",
    "invitation_send",
    "invitations_send",
    "invitations_sweep",
    "invite_token_make",
    "invite_token_participant",
    "logger",
    "mentor_capacity_set",
    "participant_invitation_accept",
    "participant_invitation_resend",
    "participant_join_by_link",
    "participant_status_set",
    "participant_update",
    "participants_invite",
    "profile_reminder_send",
    "profile_reminders_queue",
    "profile_seed",
    "program_allowed_transitions",
    "program_coordinator_add",
    "program_coordinator_remove",
    "program_create",
    "program_goal_delete",
    "program_goal_set",
    "program_join_link_disable",
    "program_join_link_enable",
    "program_transition",
    "program_update",
]
