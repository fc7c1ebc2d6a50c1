"""The embedded default's message broker: kombu's SQLAlchemy transport on a SQLite file
of its own (never the app's database), with the three things it lacks for us.

kombu's filesystem transport, the embedded broker before this one, lets a worker read
a message file before its sender has written it (the worker then dies of a
JSONDecodeError), and deletes a message as it hands it out, so an ``acks_late`` task
whose worker was killed is gone. kombu's SQLAlchemy transport (5.7) writes each message
in one transaction, so nobody reads half of one, but on its own it:

- marks a message invisible when it hands it out and never looks at it again, so a
  killed worker's task is lost all the same, and acknowledged rows pile up forever;
- dies on a message it cannot decode, like the filesystem transport.

This one deletes a message's row when the task is acknowledged, hands an
unacknowledged message out again once ``visibility_timeout`` seconds have passed since
it was handed out (as kombu's Redis transport does), and logs and drops a message it
cannot decode, then goes on with the next. benchmarks/broker_race.py measures all
three transports; docs/architecture.md has the numbers.

The URL is a SQLAlchemy one, ``sqlite:////abs/path/broker.sqlite3``: mentoring/celery.py
registers the ``sqlite`` scheme for this transport, so the URL alone chooses it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from json import loads
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import sqlalchemy as kombu_sqlalchemy
from sqlalchemy import create_engine, delete, event, or_, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

# Seconds a handed-out, unacknowledged message waits before it is handed out again;
# must exceed the longest task and the longest countdown or ETA.
DEFAULT_VISIBILITY_TIMEOUT = 3600
# Seconds a process waits for another one's write to finish before it gives up.
SQLITE_BUSY_TIMEOUT = 30
# How much of an undecodable message the log shows.
LOGGED_PAYLOAD_CHARS = 200


def _utcnow() -> dt.datetime:
    # The table's timestamp column is naive; every value this module writes is UTC.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _sqlite_connected(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the workers poll (read) while the web process sends (writes).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def message_payload(raw: str | bytes | None) -> dict[str, Any] | None:
    """The message a row holds, or None when it is not one kombu can deliver."""
    try:
        payload = loads(raw.decode() if isinstance(raw, bytes) else (raw or ""))
    except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
        return None
    if not isinstance(payload, dict):
        return None
    properties = payload.get("properties")
    if (
        not isinstance(properties, dict)
        or "delivery_tag" not in properties
        or not isinstance(properties.get("delivery_info"), dict)
    ):
        return None
    return payload


class Channel(kombu_sqlalchemy.Channel):
    # Separate from kombu's own engine cache: a plain sqla+ URL gets kombu's engine.
    _engines: dict[str, tuple[Engine, Any]] = {}

    def __init__(self, connection: Any, **kwargs: Any) -> None:
        super().__init__(connection, **kwargs)
        options: Mapping[str, Any] = connection.client.transport_options
        self.visibility_timeout = float(
            options.get("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT)
        )
        # delivery tag -> row id of the messages this channel handed out and that are
        # not acknowledged yet.
        self._handed_out: dict[str, int] = {}

    def _engine_from_config(self) -> Engine:
        url = str(self.connection.client.hostname)  # type: ignore[union-attr]
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # No pool: a connection lives for one transaction, so no process inherits an
        # open SQLite connection when Celery forks its pool processes.
        engine = create_engine(
            url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}
        )
        event.listen(engine, "connect", _sqlite_connected)
        return engine

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        queue_id = self._get_or_create(queue).id  # type: ignore[attr-defined]
        message = self.message_cls
        session = self.session
        cutoff = _utcnow() - dt.timedelta(seconds=self.visibility_timeout)
        deliverable = (
            session.query(message.id)
            .filter(message.queue_id == queue_id)
            .filter(or_(message.visible.is_not(False), message.sent_at < cutoff))
        )
        # A plain read first: an idle worker polls without ever taking the write lock.
        if deliverable.first() is None:
            session.commit()
            raise Empty()
        session.execute(text("BEGIN IMMEDIATE"))
        try:
            while True:
                row_id = deliverable.order_by(message.id).limit(1).scalar()
                if row_id is None:
                    raise Empty()
                raw = session.query(message.payload).filter(message.id == row_id).scalar()
                payload = message_payload(raw)
                if payload is None:
                    logger.error(
                        "Dropped message %s from broker queue %s: it is not a message (%r)",
                        row_id,
                        queue,
                        (raw or "")[:LOGGED_PAYLOAD_CHARS],
                    )
                    session.query(message).filter(message.id == row_id).delete()
                    continue
                # sent_at becomes the time it was handed out: the visibility clock.
                session.query(message).filter(message.id == row_id).update(
                    {message.visible: False, message.sent_at: _utcnow()},
                    synchronize_session=False,
                )
                self._handed_out[payload["properties"]["delivery_tag"]] = row_id
                return payload
        finally:
            session.commit()

    def _forget(self, delivery_tag: str) -> None:
        """Delete the row of a message that is done with (acknowledged or put back)."""
        row_id = self._handed_out.pop(delivery_tag, None)
        if row_id is None:
            return
        table = self.message_cls.__table__
        engine, _ = self._open()
        # A connection of its own, not the channel's session: Celery acknowledges from
        # the pool's result thread while the main thread polls through the session.
        try:
            with engine.begin() as connection:
                connection.execute(delete(table).where(table.c.id == row_id))
        except OperationalError:
            # It is handed out again after the visibility timeout: tasks can run twice.
            logger.warning("Could not delete broker message %s", row_id, exc_info=True)

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple=multiple)
        self._forget(delivery_tag)

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue=requeue)
        self._forget(delivery_tag)

    def _restore(self, message: Any) -> None:
        # kombu puts a copy back (a new row); the handed-out row must go, or it would be
        # handed out a second time after the visibility timeout.
        super()._restore(message)
        self._forget(message.delivery_tag)


class Transport(kombu_sqlalchemy.Transport):
    Channel = Channel


def transport_register() -> None:
    """Make ``sqlite://`` broker URLs use this transport (kombu has no such scheme)."""
    TRANSPORT_ALIASES.setdefault("sqlite", "mentoring.broker:Transport")
