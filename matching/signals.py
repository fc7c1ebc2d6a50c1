"""What the matching app announces after its writes (see programs/signals.py)."""

from __future__ import annotations

from django.dispatch import Signal

# sender=Program, run=MatchRun, mentorship_ids=list[int]: a match run was published.
match_published = Signal()
