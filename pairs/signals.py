"""What the pairs app announces after its writes, for the apps above it.

The dependency runs one way (pairs knows nothing of integrations), so the services
send these signals and integrations connects receivers in its AppConfig.ready. They
are sent inside the writing transaction: a receiver records what to do (a webhook
delivery row, say) in that transaction and acts only after commit. The sender is the
Program, as before these moved here from programs.signals.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=Program, mentorship=Mentorship: an active pair ended early.
mentorship_ended = Signal()

# sender=Program, mentorship_ids=list[int]: a closing program completed its active pairs.
mentorships_completed = Signal()

# sender=Program, checkin=CheckIn: one of the pair logged a check-in (met or not).
checkin_logged = Signal()
