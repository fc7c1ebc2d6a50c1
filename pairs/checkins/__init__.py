"""Check-ins of a pair: proposing a time, accepting it or proposing another,
rescheduling, cancelling, and logging what happened.

- Either person proposes; the other accepts or proposes another time. Each enters
  and sees times in their own time zone; they are stored in UTC.
- A check-in keeps one calendar UID for its life; every change people's calendars
  must pick up raises its SEQUENCE; a cancellation sends METHOD:CANCEL.
- Logging is per person (each may rate the meeting); the latest log sets done or
  missed. Topics, notes, ratings and goal progress are private to the pair.
- Emails go out after commit through Celery with a mentoring.Delivery record per
  person and version, so a task run twice sends nothing twice.
- "We met" / "We didn't" links in reminder emails are signed and expire; clicking
  one twice records once (see :func:`pairs.checkins.links.checkin_log_from_link`).

The package's modules: ``services`` (every write), ``forms``, ``links`` (the signed
links in emails), ``calendar`` (iCalendar) and ``notices`` (the emails).
"""
