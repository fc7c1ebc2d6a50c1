"""What every write of the programs app shares: its error and the invitation link's salt."""

from __future__ import annotations

import datetime as dt
import logging

logger = logging.getLogger(__name__)

INVITE_SALT = "programs.participant.invite"
INVITE_VALID_FOR = dt.timedelta(days=30)


class ProgramError(Exception):
    """A request the rules refuse; the message is shown to the person."""
