"""Program events: workshops, training sessions and networking events.

One module per role: ``access`` (who may answer, and the answers), ``forms`` (and the
wall-clock times they are entered in), ``services`` (writes: events, answers and the
waiting list, the calendar feed), ``notices`` (the emails and the reminder sweep),
``selectors`` (reads). The names other modules use are re-exported here.

- Answers (RSVPs): one row per person per event. While an answer is written the
  event's row stays locked, so counting the places and promoting from the waiting
  list never race: exactly ``capacity`` people are going, the rest wait in order.
- Emails go out after commit through Celery (programs.event_tasks). Each carries a
  unique mentoring.Delivery record written in the transaction that sends it, so a
  task run twice (a second sweep, a re-delivered message) sends nothing twice.
- Times are stored in UTC, entered in the program's time zone and shown in the
  viewer's own; invitations (.ics) carry a stable UID and a rising SEQUENCE.
"""

from __future__ import annotations

from programs.events.access import (
    RESPONSES,
    RSVP_PARTICIPANT_STATUSES,
    Going,
    Maybe,
    NotGoing,
    Waiting,
    event_rsvp_refusal,
)
from programs.events.forms import (
    AttendanceForm,
    DateTimeLocalInput,
    EventForm,
    RsvpForm,
    WallClockDateTimeField,
    local_to_utc,
    zone,
)
from programs.events.notices import (
    DELIVERY_CHANGE,
    DELIVERY_REMINDER,
    DELIVERY_RSVP,
    NOTICE_DECLINED,
    NOTICE_GOING,
    NOTICE_PROMOTED,
    NOTICE_STATUSES,
    NOTICE_WAITING,
    NOTICES,
    REMINDER_BATCH,
    REMINDER_BATCHES_PER_SWEEP,
    REMINDER_LEAD,
    event_change_notices_send,
    event_reminders_send,
    event_rsvp_notice_send,
    reminder_key,
)
from programs.events.selectors import (
    FEED_PAST,
    EventAttendance,
    EventCounts,
    event_attendance_summary,
    event_counts,
    event_feed_components,
    event_home_list,
    event_list,
    event_rsvp_get,
    event_rsvp_list,
    event_url,
    waiting_position,
)
from programs.events.services import (
    EVENT_EDITABLE_FIELDS,
    INVITE_FIELDS,
    calendar_feed_get,
    calendar_feed_reset,
    calendar_feed_user,
    event_attendance_set,
    event_cancel,
    event_create,
    event_rsvp_set,
    event_rsvps_withdraw,
    event_update,
)

__all__ = [
    "DELIVERY_CHANGE",
    "DELIVERY_REMINDER",
    "DELIVERY_RSVP",
    "EVENT_EDITABLE_FIELDS",
    "FEED_PAST",
    "INVITE_FIELDS",
    "NOTICES",
    "NOTICE_DECLINED",
    "NOTICE_GOING",
    "NOTICE_PROMOTED",
    "NOTICE_STATUSES",
    "NOTICE_WAITING",
    "REMINDER_BATCH",
    "REMINDER_BATCHES_PER_SWEEP",
    "REMINDER_LEAD",
    "RESPONSES",
    "RSVP_PARTICIPANT_STATUSES",
    "AttendanceForm",
    "DateTimeLocalInput",
    "EventAttendance",
    "EventCounts",
    "EventForm",
    "Going",
    "Maybe",
    "NotGoing",
    "RsvpForm",
    "Waiting",
    "WallClockDateTimeField",
    "calendar_feed_get",
    "calendar_feed_reset",
    "calendar_feed_user",
    "event_attendance_set",
    "event_attendance_summary",
    "event_cancel",
    "event_change_notices_send",
    "event_counts",
    "event_create",
    "event_feed_components",
    "event_home_list",
    "event_list",
    "event_reminders_send",
    "event_rsvp_get",
    "event_rsvp_list",
    "event_rsvp_notice_send",
    "event_rsvp_refusal",
    "event_rsvp_set",
    "event_rsvps_withdraw",
    "event_update",
    "event_url",
    "local_to_utc",
    "reminder_key",
    "waiting_position",
    "zone",
]
