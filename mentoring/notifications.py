"""Notification emails people can turn off by kind, with one-click unsubscribe.

Every recurring email names its kind (:class:`Kind`). The person's preferences
(:class:`mentoring.models.NotificationPreference`, no row = on) decide whether it
goes out; each email carries a signed link that turns its kind off, also offered to
mail programs through ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058),
so "Unsubscribe" in the mail program is one click.

Exactly once: ``notification_send(once=(kind, key))`` claims the mentoring.Delivery
row and sends in one transaction, so a failed send leaves the key free for a retry.

Quiet hours: a periodic sender passes ``wait_out_quiet_hours=True``; in the
recipient's night :func:`notification_send` raises :class:`QuietHours` before
anything is claimed or sent, and the one sweep helper (mentoring.sweeps) leaves the row
due for a later sweep. A message someone's own action causes (a confirmation) goes at
once. Senders that plan a time ahead (pair reminders) use :func:`quiet_adjust`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from email.message import MIMEPart
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.emails import Email, absolute_url, email_render
from mentoring.models import Delivery, NotificationPreference, User


class Kind(models.TextChoices):
    # Proposals, invitations (.ics), changes and cancellations of check-ins.
    CHECKIN_UPDATES = "checkin_updates", _("Check-in proposals and calendar invitations")
    # The day before a check-in.
    CHECKIN_REMINDERS = "checkin_reminders", _("Reminders before a check-in")
    # After a check-in: "did you meet?" with one-click answers.
    CHECKIN_LOG = "checkin_log", _("Requests to log a check-in")
    # Welcome after matching, the first-meeting nudge, and nudges when a pair is overdue.
    PAIR_NUDGES = "pair_nudges", _("Welcome and nudges to keep meeting")
    # Coordinators: a pair has missed several check-ins in a row.
    PAIR_ESCALATIONS = "pair_escalations", _("Pairs that stopped meeting (coordinators)")
    # Coordinators: the weekly progress email; HR viewers: the monthly summary.
    PROGRESS_REPORTS = "progress_reports", _("Weekly and monthly progress reports")
    # Program events: your answer confirmed (.ics), changes, cancellations, reminders.
    EVENTS = "events", _("Program events: answers, changes and reminders")
    # Self-match: a mentee asks you; your request was accepted, declined or expired.
    MATCH_REQUESTS = "match_requests", _("Mentoring requests and their answers")
    # Surveys: the invitation to answer and up to two reminders.
    SURVEYS = "surveys", _("Survey invitations and reminders")


UNSUBSCRIBE_SALT = "mentoring.notifications.unsubscribe"

# Channels a notification also goes to once its email went (the integrations app
# registers the program's team chat, for people who asked for their reminders there).
# Each gets the recipient, the kind, the email's subject, the context and a key that
# names this message (the Delivery key when there is one), so a copy goes out once.
CopyChannel = Callable[[User, str, str, Mapping[str, Any], str], None]
COPY_CHANNELS: list[CopyChannel] = []


def notification_channel_register(channel: CopyChannel) -> None:
    if channel not in COPY_CHANNELS:
        COPY_CHANNELS.append(channel)


def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


# ------------------------------------------------------------------------------
# Preferences
# ------------------------------------------------------------------------------


def notification_enabled(*, user: User, kind: str) -> bool:
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return row is None or row.enabled


def notification_disabled_pairs(*, user_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(user id, kind) of every kind these people turned off: one query for a batch."""
    return set(
        NotificationPreference.objects.filter(user_id__in=set(user_ids), enabled=False).values_list(
            "user_id", "kind"
        )
    )


def notification_preferences(*, user: User) -> dict[str, bool]:
    """Every kind with whether it is on for this person."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: stored.get(kind, True) for kind in Kind.values}


def notification_preference_set(*, user: User, kind: str, enabled: bool) -> None:
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind: {kind}")
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled}
    )


# ------------------------------------------------------------------------------
# Unsubscribe links
# ------------------------------------------------------------------------------


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed (user, kind) pair; it never expires, since old emails keep their links."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, str] | None:
    """The person and kind of a token, or None when it is forged or unknown."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in Kind.values:
        return None
    if not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    return None if user is None else (user, str(data["k"]))


def unsubscribe_url(*, user: User, kind: str) -> str:
    token = unsubscribe_token(user=user, kind=kind)
    return absolute_url(reverse("notification_unsubscribe", args=[token]))


def unsubscribe_headers(*, user: User, kind: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user=user, kind=kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# ------------------------------------------------------------------------------
# Quiet hours
# ------------------------------------------------------------------------------


class QuietHours(Exception):
    """It is night where the recipient is: nothing was claimed or sent; try after
    ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(f"quiet hours until {until.isoformat()}")
        self.until = until


def is_quiet(moment: dt.datetime, zone_name: str) -> bool:
    """Whether this moment falls in the night in this time zone."""
    start, end = settings.NOTIFY_QUIET_START_HOUR, settings.NOTIFY_QUIET_END_HOUR
    if start == end:
        return False
    hour = moment.astimezone(zone(zone_name)).hour
    if start > end:  # over midnight, e.g. 21-8
        return hour >= start or hour < end
    return start <= hour < end


def quiet_adjust(
    moment: dt.datetime, zone_name: str, *, latest: dt.datetime | None = None
) -> dt.datetime:
    """The moment itself, or the end of the quiet hours it falls in (local time).

    With ``latest`` (e.g. a meeting's start), a message deferred past it is moved
    earlier instead: to one hour before the quiet hours began that evening.
    """
    if not is_quiet(moment, zone_name):
        return moment
    tz = zone(zone_name)
    local = moment.astimezone(tz)
    end_hour = settings.NOTIFY_QUIET_END_HOUR
    day = local.date() if local.hour < end_hour else local.date() + dt.timedelta(days=1)
    deferred = dt.datetime.combine(day, dt.time(end_hour), tzinfo=tz).astimezone(dt.UTC)
    if latest is None or deferred < latest:
        return deferred
    start_hour = settings.NOTIFY_QUIET_START_HOUR
    evening = day - dt.timedelta(days=1) if local.hour < end_hour else local.date()
    earlier = dt.datetime.combine(evening, dt.time(max(start_hour - 1, 0)), tzinfo=tz)
    return earlier.astimezone(dt.UTC)


def local_at(day: dt.date, hour: int, zone_name: str) -> dt.datetime:
    """``hour`` o'clock on ``day`` in this time zone, as UTC (for "at 9 local")."""
    tz = zone(zone_name)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz).astimezone(dt.UTC)


# ------------------------------------------------------------------------------
# Sending
# ------------------------------------------------------------------------------


def notification_send(
    *,
    to: User,
    kind: str,
    template: str,
    context: Mapping[str, Any],
    ics_data: bytes | None = None,
    ics_method: str = "REQUEST",
    message_id: str = "",
    mailer: BaseEmailBackend | None = None,
    preference_checked: bool = False,
    once: tuple[str, str] | None = None,
    wait_out_quiet_hours: bool = False,
    now: dt.datetime | None = None,
) -> bool:
    """Email one notification: text and HTML, rendered in the person's time zone,
    with unsubscribe links (body and headers) and an optional .ics invitation.

    Every recurring email of the product goes through here, and so does its chat copy
    (:data:`COPY_CHANNELS`) once the email went.

    ``mailer``: an open connection to send it through (a batch shares one).
    ``preference_checked``: the caller already left out everyone who turned this
    kind off (a batch does it in one query); otherwise it is looked up here.
    ``once``: the Delivery (kind, key) that makes it go out at most once; claimed in
    the transaction that sends (False, nothing sent, when it went before).
    ``wait_out_quiet_hours``: raise :class:`QuietHours` instead of sending in the
    recipient's night (periodic senders; the sweep tries again later); ``now`` is the
    sweep's clock.

    Nothing goes to a deactivated or erased account (its address may be a
    placeholder), nor to someone who turned the kind off. Returns whether it went.
    """
    if not to.is_active:
        return False
    if not preference_checked and not notification_enabled(user=to, kind=kind):
        return False
    if wait_out_quiet_hours:
        moment = now or timezone.now()
        if is_quiet(moment, to.time_zone):
            raise QuietHours(quiet_adjust(moment, to.time_zone))
    if once is None:
        _send(to, kind, template, context, ics_data, ics_method, message_id, mailer, "")
        return True
    with transaction.atomic():
        if not Delivery.objects.claim(kind=once[0], key=once[1]):
            return False
        key = f"{once[0]}:{once[1]}"
        _send(to, kind, template, context, ics_data, ics_method, message_id, mailer, key)
    return True


def _send(
    to: User,
    kind: str,
    template: str,
    context: Mapping[str, Any],
    ics_data: bytes | None,
    ics_method: str,
    message_id: str,
    mailer: BaseEmailBackend | None,
    key: str,
) -> None:
    url = unsubscribe_url(user=to, kind=kind)
    with timezone.override(zone(to.time_zone)):
        subject, text, html = email_render(
            template,
            {
                **context,
                "person": to,
                "tz_name": timezone.get_current_timezone_name(),
                "unsubscribe_url": url,
                "kind_label": Kind(kind).label,
                "preferences_url": absolute_url(reverse("notification_preferences")),
            },
        )
    headers = {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = Email(subject=subject, body=text, to=[to.email], headers=headers)
    message.attach_alternative(html, "text/html")
    if ics_data is not None:
        part = MIMEPart()
        part.set_content(
            ics_data.decode(),
            subtype="calendar",
            charset="utf-8",
            params={"method": ics_method},
            disposition="attachment",
            filename="cancel.ics" if ics_method == "CANCEL" else "invite.ics",
        )
        message.attach(part)
    if mailer is None:
        message.send()
    else:
        mailer.send_messages([message])
    for channel in COPY_CHANNELS:
        channel(to, kind, subject, context, key or message_id)
