"""What the matching app announces after its writes (see programs/signals.py)."""

from __future__ import annotations

from django.dispatch import Signal

# sender=Program, run=MatchRun | None, mentorship_ids=list[int]: new pairs were published,
# by a match run or (run=None) by a mentor accepting a mentee's request.
match_published = Signal()
