"""Background work: Celery's broker and queues, and beat's schedule of every sweep with
the intervals and batch sizes the sweeps read."""

from __future__ import annotations

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from mentoring import queues
from mentoring.settings.core import VAR_DIR
from mentoring.settings.databases import REDIS_URL
from mentoring.settings.environment import (
    env_bool,
    env_int,
    env_str,
)

# ------------------------------------------------------------------------------
# Celery
# ------------------------------------------------------------------------------
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX", "mentoring")
# The queues every worker listens to; each task declares its kind (mentoring/queues.py).
CELERY_QUEUES_ALL = [queues.queue_name(kind, prefix=CELERY_QUEUE_PREFIX) for kind in queues.KINDS]
# The embedded default's broker: a SQLite file of its own beside the database, through
# mentoring/broker.py (docs/architecture.md says why not the filesystem transport).
BROKER_SQLITE_PATH = VAR_DIR / "broker.sqlite3"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or f"sqlite:///{BROKER_SQLITE_PATH}"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    # Must exceed the longest task ETA/countdown; acks_late tasks are
    # re-delivered after this if their worker died.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60),
}
if CELERY_BROKER_URL.startswith("sqlite:"):
    # Seconds an idle worker waits between looks at its queues (one read each).
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = 0.2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = queues.queue_name(queues.DEFAULT, prefix=CELERY_QUEUE_PREFIX)
# The queue of the kind each task declares, @queues.task(queue_kind=...).
CELERY_TASK_ROUTES = ("mentoring.queues.task_route",)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL = env_int("HEARTBEAT_INTERVAL", 60, minimum=5)
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat": {
        "task": "mentoring.tasks.record_heartbeat_task",
        "schedule": float(HEARTBEAT_INTERVAL),
        "options": {"expires": float(HEARTBEAT_INTERVAL)},
    },
}
# /healthz reports 503 when the last heartbeat is older than this many seconds.
HEALTHZ_HEARTBEAT_MAX_AGE = env_int("HEALTHZ_HEARTBEAT_MAX_AGE", 5 * HEARTBEAT_INTERVAL, minimum=1)
# Each worker's main process records a heartbeat of its own this often; /healthz
# reports the worker down when none is younger than HEALTHZ_WORKER_MAX_AGE.
WORKER_HEARTBEAT_INTERVAL = env_int("WORKER_HEARTBEAT_INTERVAL", 10, minimum=1)
HEALTHZ_WORKER_MAX_AGE = env_int("HEALTHZ_WORKER_MAX_AGE", 3 * WORKER_HEARTBEAT_INTERVAL, minimum=1)
# Program events: the sweep that sends each attendee one reminder the day before.
EVENT_REMINDER_INTERVAL = env_int("EVENT_REMINDER_INTERVAL", 300, minimum=30)
CELERY_BEAT_SCHEDULE["send-event-reminders"] = {
    "task": "programs.tasks.send_event_reminders_task",
    "schedule": float(EVENT_REMINDER_INTERVAL),
    # A sweep still queued when the next is due is redundant: the next one covers it.
    "options": {"expires": float(EVENT_REMINDER_INTERVAL)},
}
# Invitations: the sweep that sends every invitation still to send (the tasks queued
# after enrolment are a shortcut; one lost costs this long). Each sweep sends at most
# INVITATION_SWEEP_BATCH and queues the next at once when it sent a full batch.
INVITATION_SWEEP_INTERVAL = env_int("INVITATION_SWEEP_INTERVAL", 60, minimum=10)
INVITATION_SWEEP_BATCH = env_int("INVITATION_SWEEP_BATCH", 1000, minimum=1)
CELERY_BEAT_SCHEDULE["send-invitations"] = {
    "task": "programs.tasks.send_due_invitations_task",
    "schedule": float(INVITATION_SWEEP_INTERVAL),
    "options": {"expires": float(INVITATION_SWEEP_INTERVAL)},
}
# Matching: the sweep that introduces published pairs whose introduction task was lost
# (same interval and batch as the invitations).
CELERY_BEAT_SCHEDULE["send-match-introductions"] = {
    "task": "matching.tasks.send_due_match_introductions_task",
    "schedule": float(INVITATION_SWEEP_INTERVAL),
    "options": {"expires": float(INVITATION_SWEEP_INTERVAL)},
}
# Deferred tasks (mentoring.deferred): notices and other work with no "to send" state
# of their own are recorded with the transaction that decides them; this sweep queues
# again any not run within DEFERRED_TASK_RETRY_AFTER seconds (its message was lost).
DEFERRED_TASK_RETRY_AFTER = env_int("DEFERRED_TASK_RETRY_AFTER", 300, minimum=30)
DEFERRED_TASK_MAX_ATTEMPTS = env_int("DEFERRED_TASK_MAX_ATTEMPTS", 24, minimum=1)
DEFERRED_TASK_BATCH = env_int("DEFERRED_TASK_BATCH", 500, minimum=1)
CELERY_BEAT_SCHEDULE["resend-deferred-tasks"] = {
    "task": "mentoring.tasks.resend_deferred_tasks_task",
    "schedule": 60.0,
    "options": {"expires": 60.0},
}
# Self-match: the sweep that passes requests a mentor did not answer in time to the
# mentee's next choice.
MATCH_REQUEST_EXPIRY_INTERVAL = env_int("MATCH_REQUEST_EXPIRY_INTERVAL", 300, minimum=30)
CELERY_BEAT_SCHEDULE["expire-match-requests"] = {
    "task": "matching.tasks.expire_match_requests_task",
    "schedule": float(MATCH_REQUEST_EXPIRY_INTERVAL),
    "options": {"expires": float(MATCH_REQUEST_EXPIRY_INTERVAL)},
}
# Surveys: the sweep that invites people as schedules fall due, reminds (at most
# twice) those who have not answered, and closes surveys past their closing date.
SURVEY_SWEEP_INTERVAL = env_int("SURVEY_SWEEP_INTERVAL", 600, minimum=30)
CELERY_BEAT_SCHEDULE["send-survey-invitations"] = {
    "task": "surveys.tasks.send_surveys_sweep_task",
    "schedule": float(SURVEY_SWEEP_INTERVAL),
    "options": {"expires": float(SURVEY_SWEEP_INTERVAL)},
}

# Mentorship workspace: the sweep that sends check-in reminders and pair nudges. Due
# times live in pairs.PairReminder rows; each sweep sends at most
# PAIR_REMINDER_BATCH and queues the next sweep at once when more are due.
PAIR_REMINDER_INTERVAL = env_int("PAIR_REMINDER_INTERVAL", 60, minimum=10)
PAIR_REMINDER_BATCH = env_int("PAIR_REMINDER_BATCH", 500, minimum=1)
CELERY_BEAT_SCHEDULE["send-pair-reminders"] = {
    "task": "programs.tasks.send_pair_reminders_task",
    "schedule": float(PAIR_REMINDER_INTERVAL),
    "options": {"expires": float(PAIR_REMINDER_INTERVAL)},
}

# Dashboards and progress reports: nightly snapshots of every program's numbers at
# REPORT_SNAPSHOT_HOUR, the coordinators' weekly email on Mondays and HR's monthly
# summary on the 1st, both at REPORT_EMAIL_HOUR (the server's TIME_ZONE; each email
# goes out once per period, see reports.emails).
REPORT_SNAPSHOT_HOUR = env_int("REPORT_SNAPSHOT_HOUR", 2, minimum=0)
REPORT_EMAIL_HOUR = env_int("REPORT_EMAIL_HOUR", 8, minimum=0)
if REPORT_SNAPSHOT_HOUR > 23 or REPORT_EMAIL_HOUR > 23:
    raise ImproperlyConfigured("REPORT_SNAPSHOT_HOUR and REPORT_EMAIL_HOUR are hours, 0-23.")
CELERY_BEAT_SCHEDULE["snapshot-programs"] = {
    "task": "mentoring.tasks.snapshot_programs_task",
    "schedule": crontab(minute=0, hour=REPORT_SNAPSHOT_HOUR),
}
# Hourly: each sends only once its period's emails are due and not yet sent, so a lost
# run is caught up by the next (reports.emails).
CELERY_BEAT_SCHEDULE["send-progress-weekly"] = {
    "task": "mentoring.tasks.send_progress_weekly_task",
    "schedule": crontab(minute=0),
}
CELERY_BEAT_SCHEDULE["send-hr-monthly"] = {
    "task": "mentoring.tasks.send_hr_monthly_task",
    "schedule": crontab(minute=5),
}
# Webhooks and chat (integrations): the sweep that delivers what is due, retries
# included (WEBHOOK_* in mentoring/settings/integrations.py).
WEBHOOK_SWEEP_INTERVAL = env_int("WEBHOOK_SWEEP_INTERVAL", 30, minimum=5)
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "integrations.tasks.send_due_webhooks_task",
    "schedule": float(WEBHOOK_SWEEP_INTERVAL),
    "options": {"expires": float(WEBHOOK_SWEEP_INTERVAL)},
}
