"""Benchmark: a 10,000-person participant import on the embedded default (`make run`:
SQLite, the SQLite broker, `manage.py runlocal`), clean and with the worker killed.

Each scenario runs in a folder of its own (benchmarks/support/embedded.py): runlocal
with DEBUG on and email to a file folder, a 10-second invitation sweep and a
60-second visibility timeout (both the minimum). The CSV is uploaded, checked and
applied through the project's import services; the worker checks and applies it and
sends the invitations. Prints one JSON object per scenario, one per line:

    {"scenario": "clean_import", "invited": 10000, "emails": 10000, "duplicates": 0,
     "lost": 0, "seconds_to_complete": 301.2, "web_errors": 0, ...}

- scenario: "clean_import", or "kill_worker_during_import": the worker's main process
  (its pool processes die with it) gets SIGKILL once 500 emails are out, and runlocal
  starts it again by itself;
- invited: people with at least one email in the mail folder; emails: every email;
  duplicates: emails beyond each person's first; lost: people with none;
- seconds_to_complete: from queueing the import (runlocal just started) to the last
  person's first email, null if not everyone had one within --timeout seconds;
- web_errors: requests of /healthz and the home page (one each every 0.2 s while the
  invitations go out) that got no answer or a 5xx (/healthz's 503 while the worker is
  down counts as an answer);
- also: people, killed (the process and how many emails were out then), web_requests,
  phases (seconds from runlocal's start to each step).

    .venv/bin/python benchmarks/embedded.py
    .venv/bin/python benchmarks/embedded.py --people 2000 --scenarios kill_worker_during_import
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.support.embedded import run  # noqa: E402

SCENARIOS = {
    "clean_import": (),
    "kill_worker_during_import": ("worker",),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS))
    parser.add_argument("--kill-after", type=int, default=500, help="emails out before the kill")
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    for scenario in args.scenarios:
        outcome = run(
            scenario=scenario,
            people=args.people,
            kill=SCENARIOS[scenario],
            kill_every=args.kill_after,
            timeout=args.timeout,
        )
        data = json.loads(outcome.as_json())
        data["phases"] = outcome.phases
        print(json.dumps(data), flush=True)


if __name__ == "__main__":
    main()
