"""Program events: workshops, training sessions and networking events.

One module per role: ``models``, ``access`` (who may see an event, who may answer,
and the answers), ``forms``, ``services`` (writes: events, answers and the waiting
list), ``notices`` (the emails and the reminder sweep), ``selectors`` (reads),
``views`` and ``tasks``.

- Answers (RSVPs): one row per person per event. While an answer is written the
  event's row stays locked, so counting the places and promoting from the waiting
  list never race: exactly ``capacity`` people are going, the rest wait in order.
- Emails go out after commit through Celery (events.tasks). Each carries a
  unique mentoring.Delivery record written in the transaction that sends it, so a
  task run twice (a second sweep, a re-delivered message) sends nothing twice.
- Times are stored in UTC, entered in the program's time zone and shown in the
  viewer's own; invitations (.ics) carry a stable UID and a rising SEQUENCE.
"""
