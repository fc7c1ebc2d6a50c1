"""Benchmark: the embedded default's broker against kombu's filesystem and SQLAlchemy
transports, each in a throwaway folder of its own. Prints one JSON object per line,
each with a "transport" and a "scenario":

- "race": one process publishes ``--messages`` messages as fast as it can while
  another takes and acknowledges them. ``decode_errors`` counts the takes that failed
  because the message was not readable (kombu's filesystem transport lets a reader
  open a file its writer has not written yet: the JSONDecodeError that killed the
  embedded worker), ``lost`` the messages never received, ``duplicates`` those
  received twice; ``per_second`` is messages received per second.
- "kill9": a process takes a message without acknowledging it and is killed with
  SIGKILL; ``redelivered`` says whether another process got the message within
  ``--visibility`` seconds plus five (the embedded broker runs with that visibility
  timeout here; kombu's two hand nothing out again, whatever the wait).
- "celery": a real Celery worker (prefork, 2 processes, acks_late as in our settings)
  runs ``--tasks`` tasks sent in a burst; ``per_second`` is tasks done per second
  from the first send, ``worker_alive`` whether the worker was still running at the
  end.

Transports: "filesystem" (kombu's, the embedded broker before), "sqla" (kombu's
SQLAlchemy transport on a SQLite file), "embedded" (mentoring/broker.py: that one,
plus redelivery and bad-message handling).

    .venv/bin/python benchmarks/broker_race.py
    .venv/bin/python benchmarks/broker_race.py --transports embedded --messages 5000
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from queue import Empty
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRANSPORTS = ("filesystem", "sqla", "embedded")
QUEUE = "bench"


def broker_config(transport: str, folder: Path, *, visibility: float) -> dict[str, Any]:
    """URL, transport class and options of one transport, in ``folder``."""
    if transport == "filesystem":
        for name in ("queue", "control"):
            (folder / name).mkdir(parents=True, exist_ok=True)
        # As the embedded default had them (the settings before the SQLite broker).
        options: dict[str, Any] = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0.1,
        }
        return {"url": "filesystem://", "transport": None, "options": options}
    database = folder / "broker.sqlite3"
    if transport == "sqla":
        return {
            "url": f"sqla+sqlite:///{database}",
            "transport": None,
            # kombu hands every option to create_engine(), which refuses
            # polling_interval: this transport polls once a second.
            "options": {},
        }
    return {
        "url": f"sqlite:///{database}",
        "transport": "mentoring.broker:Transport",  # what the sqlite scheme names
        "options": {"polling_interval": 0.1, "visibility_timeout": visibility},
    }


def _connection(config: dict[str, Any]) -> Any:
    from kombu import Connection

    return Connection(
        config["url"], transport=config["transport"], transport_options=config["options"]
    )


def _produce(config: dict[str, Any], count: int) -> None:
    with _connection(config) as conn:
        queue = conn.SimpleQueue(QUEUE)
        for number in range(count):
            queue.put({"n": number})


def _consume(config: dict[str, Any], count: int, producer_done: Any, result: Any) -> None:
    received: list[int] = []
    errors: Counter[str] = Counter()
    last_at = time.monotonic()
    with _connection(config) as conn:
        queue = conn.SimpleQueue(QUEUE)
        while len(received) < count:
            try:
                message = queue.get(timeout=0.5)
            except Empty:
                if producer_done.is_set() and time.monotonic() - last_at > 3:
                    break
                continue
            except Exception as exc:
                errors[type(exc).__name__] += 1
                continue
            received.append(message.payload["n"])
            message.ack()
            last_at = time.monotonic()
    result.put({"received": received, "errors": dict(errors), "last_at": last_at})


def scenario_race(transport: str, folder: Path, *, messages: int) -> dict[str, Any]:
    config = broker_config(transport, folder, visibility=3600)
    _connection(config).SimpleQueue(QUEUE).close()  # declare the queue before the race
    context = multiprocessing.get_context("spawn")
    done, result = context.Event(), context.Queue()
    consumer = context.Process(target=_consume, args=(config, messages, done, result))
    consumer.start()
    started = time.monotonic()
    producer = context.Process(target=_produce, args=(config, messages))
    producer.start()
    producer.join()
    done.set()
    outcome = result.get(timeout=600)
    consumer.join(timeout=30)
    counts = Counter(outcome["received"])
    seconds = outcome["last_at"] - started
    return {
        "messages": messages,
        "received": len(counts),
        "decode_errors": sum(outcome["errors"].values()),
        "errors": outcome["errors"],
        "lost": messages - len(counts),
        "duplicates": sum(n - 1 for n in counts.values()),
        "seconds": round(seconds, 2),
        "per_second": round(len(outcome["received"]) / seconds, 1),
    }


def _take_and_die(config: dict[str, Any]) -> None:
    with _connection(config) as conn:
        queue = conn.SimpleQueue(QUEUE)
        queue.get(timeout=60)
        os.kill(os.getpid(), signal.SIGKILL)


def scenario_kill9(transport: str, folder: Path, *, visibility: float) -> dict[str, Any]:
    config = broker_config(transport, folder, visibility=visibility)
    _produce(config, 1)
    context = multiprocessing.get_context("spawn")
    victim = context.Process(target=_take_and_die, args=(config,))
    victim.start()
    victim.join(timeout=60)
    waited = visibility + 5
    started = time.monotonic()
    redelivered = False
    with _connection(config) as conn:
        queue = conn.SimpleQueue(QUEUE)
        while time.monotonic() - started < waited:
            try:
                queue.get(timeout=0.5).ack()
            except Empty:
                continue
            redelivered = True
            break
    return {
        "victim_exit_code": victim.exitcode,
        "redelivered": redelivered,
        "after_seconds": round(time.monotonic() - started, 1) if redelivered else None,
        "waited_seconds": waited,
    }


def scenario_celery(transport: str, folder: Path, *, tasks: int) -> dict[str, Any]:
    config = broker_config(transport, folder, visibility=3600)
    out = folder / "done.txt"
    out.touch()
    env = {
        **os.environ,
        "BENCH_BROKER_URL": config["url"],
        "BENCH_BROKER_TRANSPORT": config["transport"] or "",
        "BENCH_BROKER_OPTIONS": json.dumps(config["options"]),
        "BENCH_OUT": str(out),
        "PYTHONPATH": str(ROOT),
        # mentoring/broker.py imports the mentoring package, whose Celery signal
        # handlers then load Django settings in this worker too: give them a folder.
        "DEBUG": "true",
        "VAR_DIR": str(folder / "var"),
    }
    from celery import Celery

    # A sender of this scenario's own: the worker's app is benchmarks/support/broker_app.py.
    sender = Celery("broker_bench_sender")
    sender.conf.update(
        broker_url=config["url"],
        broker_transport=config["transport"],
        broker_transport_options=config["options"],
        task_default_queue=QUEUE,
    )

    def send(number: int) -> None:
        sender.send_task("bench.record", args=[number])

    log = folder / "worker.log"
    with log.open("w") as log_file:
        worker = subprocess.Popen(  # noqa: S603 - our own fixed command
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "benchmarks.support.broker_app",
                "worker",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--queues={QUEUE}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        send(-1)  # warm-up: the worker is ready once this one is done
        deadline = time.monotonic() + 60
        while "-1" not in out.read_text().split() and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        for number in range(tasks):
            send(number)
        deadline = started + 300
        done: list[str] = []
        while time.monotonic() < deadline and worker.poll() is None:
            done = [line for line in out.read_text().split() if line != "-1"]
            if len(done) >= tasks:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - started
        alive = worker.poll() is None
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    counts = Counter(done)
    crash = [line for line in log.read_text().splitlines() if "Unrecoverable error" in line]
    return {
        "tasks": tasks,
        "done": len(counts),
        "lost": tasks - len(counts),
        "duplicates": sum(n - 1 for n in counts.values()),
        "seconds": round(seconds, 2),
        "per_second": round(len(counts) / seconds, 1),
        "worker_alive": alive,
        "worker_error": crash[0][-200:] if crash else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transports", default=",".join(TRANSPORTS))
    parser.add_argument("--scenarios", default="race,kill9,celery")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=500)
    parser.add_argument("--visibility", type=float, default=3.0)
    args = parser.parse_args()
    for transport in args.transports.split(","):
        for scenario in args.scenarios.split(","):
            folder = Path(tempfile.mkdtemp(prefix=f"bench-broker-{transport}-"))
            try:
                if scenario == "race":
                    row = scenario_race(transport, folder, messages=args.messages)
                elif scenario == "kill9":
                    row = scenario_kill9(transport, folder, visibility=args.visibility)
                else:
                    row = scenario_celery(transport, folder, tasks=args.tasks)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            print(
                json.dumps(
                    {"benchmark": "broker", "transport": transport, "scenario": scenario} | row
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
