"""What the programs app announces after its writes, for the apps above it.

The dependency runs one way (programs knows nothing of guides, pairs or integrations), so
the services send these signals and integrations connects receivers in its AppConfig.ready. They
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

# sender=Program, program=Program, by=User, now=datetime: the program closed. Sent
# inside the closing transaction: the pairs app completes the pairs still meeting.
program_closed = Signal()
