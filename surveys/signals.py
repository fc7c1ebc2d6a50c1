"""What the surveys app announces after its writes (see programs/signals.py)."""

from __future__ import annotations

from django.dispatch import Signal

# sender=Survey, survey=Survey: a survey closed (by its coordinator or at its closing time).
survey_closed = Signal()
