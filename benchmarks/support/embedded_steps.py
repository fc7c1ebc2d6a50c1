"""The setup steps of benchmarks/support/embedded.py's sites, each run in a process of
its own with the site's environment (``python -m benchmarks.support.embedded_steps
prepare|import|survey ...``): a coordinator and a program, then a participant import
applied by the worker, or a published survey.

In benchmarks/support/ (not benchmarks/), so that `make bench` does not run it as a benchmark.
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.support.embedded import RECIPIENT


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings.base")
    import django

    django.setup()


def _prepare(people: int, source: str) -> int:
    """A coordinator and an enrolling program; for a survey, ``people`` active
    participants without accounts (their survey email goes to the program's address
    for them). Prints the program's id."""
    import datetime as dt

    from django.utils import timezone

    from mentoring.models import User
    from programs.models import Participant, Program
    from programs.services import program_create

    coordinator = User.objects.create_user(
        email="coordinator@example.org", password=None, full_name="Coordinator"
    )
    today = timezone.now().date()
    program = program_create(
        created_by=coordinator,
        name="Faults",
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
    )
    Program.objects.filter(pk=program.pk).update(state=Program.State.ENROLLING)
    if source == "survey":
        Participant.objects.bulk_create(
            [
                Participant(
                    program=program,
                    role=Participant.Role.MENTEE if n % 2 else Participant.Role.MENTOR,
                    status=Participant.Status.ACTIVE,
                    email=RECIPIENT.format(n=n),
                    full_name=f"Person {n}",
                )
                for n in range(people)
            ],
            batch_size=1000,
        )
    return program.pk


def _import(program_id: int, people: int) -> None:
    """Upload a CSV of ``people`` rows as the coordinator, wait for the worker's check,
    and apply it (the worker applies it and queues the invitations)."""
    from mentoring.models import User
    from programs.imports import participant_import_apply, participant_import_create
    from programs.models import ParticipantImport, Program

    program = Program.objects.get(pk=program_id)
    coordinator = User.objects.get(email="coordinator@example.org")
    lines = ["name,email,role"]
    lines += [
        f"Person {n},{RECIPIENT.format(n=n)},{'mentee' if n % 2 else 'mentor'}"
        for n in range(people)
    ]
    data = ("\n".join(lines) + "\n").encode()
    participant_import = participant_import_create(
        program=program, by=coordinator, file_name="people.csv", data=data
    )
    deadline = time.monotonic() + 120
    while participant_import.status == ParticipantImport.Status.CHECKING:
        if time.monotonic() > deadline:
            raise SystemExit("the worker did not check the import within 120 s")
        time.sleep(0.2)
        participant_import.refresh_from_db()
    if participant_import.status != ParticipantImport.Status.READY:
        raise SystemExit(f"import {participant_import.status}: {participant_import.problems[:3]}")
    participant_import_apply(participant_import=participant_import, by=coordinator)


def _survey(program_id: int) -> None:
    """Publish a one-question survey, sent as soon as it is published, to everyone."""
    import datetime as dt

    from django.utils import timezone

    from mentoring.models import User
    from programs.models import Program
    from surveys.models import Question, Survey
    from surveys.services import question_create, survey_create, survey_publish

    program = Program.objects.get(pk=program_id)
    coordinator = User.objects.get(email="coordinator@example.org")
    survey = survey_create(program=program, by=coordinator, title="How is it going?")
    question_create(
        survey=survey, by=coordinator, text="How is it going?", kind=Question.Kind.RATING
    )
    Survey.objects.filter(pk=survey.pk).update(
        trigger=Survey.Trigger.ON_PUBLISH,
        reminder_count=0,
        closes_at=timezone.now() + dt.timedelta(days=14),
    )
    survey_publish(survey=survey, by=coordinator)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    prepare = steps.add_parser("prepare")
    prepare.add_argument("--people", type=int, required=True)
    prepare.add_argument("--source", choices=("import", "survey"), required=True)
    upload = steps.add_parser("import")
    upload.add_argument("--program", type=int, required=True)
    upload.add_argument("--people", type=int, required=True)
    survey = steps.add_parser("survey")
    survey.add_argument("--program", type=int, required=True)
    args = parser.parse_args()
    _django()
    if args.step == "prepare":
        print(_prepare(args.people, args.source))
    elif args.step == "import":
        _import(args.program, args.people)
    else:
        _survey(args.program)


if __name__ == "__main__":
    main()
