from __future__ import annotations

import argparse
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from demo.large import database_analyze, demo_large_seed
from demo.people import DEMO_PEOPLE, demo_logins_read, demo_logins_write, demo_seed
from demo.programs import demo_outcomes_seed, demo_programs_seed


class Command(BaseCommand):
    help = "Create demo accounts for a first run. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give every demo account a new password and print it.",
        )
        parser.add_argument(
            "--size",
            choices=["small", "large"],
            default="small",
            help="large: add 50 programs, 20,000 participants, 200,000 check-ins and "
            "100,000 survey answers (bulk inserts; for dashboards and benchmarks).",
        )
        parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["size"] == "large":
            started = time.monotonic()
            counts = demo_large_seed(scale=options["scale"])
            self.stdout.write(
                f"Large demo: {counts.programs} programs, {counts.participants} participants, "
                f"{counts.mentorships} pairs, {counts.checkins} check-ins, "
                f"{counts.answers} survey answers in {time.monotonic() - started:.0f} s"
            )
        logins = demo_seed(reset_passwords=options["reset_passwords"])
        programs = demo_programs_seed()
        employees = demo_outcomes_seed()
        if employees:
            self.stdout.write(f"HR outcome data: {employees} employees")
        if options["size"] == "large":
            database_analyze()
        for program in programs:
            self.stdout.write(
                f"Program {program.name!r} ({program.get_state_display()}): "
                f"{program.participants.count()} participants"
            )
        logins_file = settings.VAR_DIR / "demo-logins.txt"
        demo_logins_write(logins_file, logins)
        created = [login for login in logins if login.password]
        if not created:
            self.stdout.write(
                f"Demo data already present ({len(DEMO_PEOPLE)} accounts); nothing changed."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo accounts ready ({len(created)} new passwords):")
        )
        saved = demo_logins_read(logins_file)
        width = max(len(p.email) for p in DEMO_PEOPLE)
        for login in logins:
            person = login.person
            password = login.password or saved.get(person.email, "(unchanged)")
            self.stdout.write(f"  {person.role:<12} {person.email:<{width}}  {password}")
        self.stdout.write(
            f"Passwords are shown once here and kept in {logins_file} (readable by you only)."
        )
