"""What the programs app announces after its writes, for the apps above it.

The dependency runs one way (programs knows nothing of guides or integrations), so the services
send these signals and integrations connects receivers in its AppConfig.ready. They
are sent inside the writing transaction: a receiver records what to do (a webhook
delivery row, say) in that transaction and acts only after commit.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender=Program, program=Program, by=User: a program was just created (guides adds
# its starter set).
program_created = Signal()

# sender=Program, participants=list[Participant]: people newly enrolled (invited,
# imported from a file, or joined by the program's link).
participants_enrolled = Signal()

# sender=Program, mentorship=Mentorship: an active pair ended early.
mentorship_ended = Signal()

# sender=Program, mentorship_ids=list[int]: a closing program completed its active pairs.
mentorships_completed = Signal()

# sender=Program, checkin=CheckIn: one of the pair logged a check-in (met or not).
checkin_logged = Signal()
