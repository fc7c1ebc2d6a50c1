"""The demo organisation that ``seed_demo`` creates for a first run."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction

from mentoring.models import User

DEMO_DOMAIN = "example.com"


@dataclass(frozen=True)
class DemoPerson:
    full_name: str
    email: str
    role: str
    time_zone: str
    is_staff: bool = False
    is_hr_viewer: bool = False
    is_coordinator: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(
        "Samuel Okafor", f"admin@{DEMO_DOMAIN}", "site admin", "Europe/London", is_staff=True
    ),
    DemoPerson("Priya Raman", f"hr@{DEMO_DOMAIN}", "HR viewer", "Europe/London", is_hr_viewer=True),
    DemoPerson(
        "María López",
        f"coordinator@{DEMO_DOMAIN}",
        "coordinator",
        "Europe/Madrid",
        is_coordinator=True,
    ),
    DemoPerson("Daniel Kim", f"daniel.kim@{DEMO_DOMAIN}", "mentor", "America/New_York"),
    DemoPerson("Aisha Bello", f"aisha.bello@{DEMO_DOMAIN}", "mentor", "Africa/Lagos"),
    DemoPerson("Tomasz Nowak", f"tomasz.nowak@{DEMO_DOMAIN}", "mentor", "Europe/Warsaw"),
    DemoPerson("Grace Liu", f"grace.liu@{DEMO_DOMAIN}", "mentor", "Asia/Singapore"),
    DemoPerson("Oluwaseun Adeyemi", f"seun.adeyemi@{DEMO_DOMAIN}", "mentor", "Europe/London"),
    DemoPerson("Elena Petrova", f"elena.petrova@{DEMO_DOMAIN}", "mentee", "Europe/Berlin"),
    DemoPerson("James O'Connor", f"james.oconnor@{DEMO_DOMAIN}", "mentee", "Europe/Dublin"),
    DemoPerson("Mei Chen", f"mei.chen@{DEMO_DOMAIN}", "mentee", "America/Los_Angeles"),
    DemoPerson("Lucas Silva", f"lucas.silva@{DEMO_DOMAIN}", "mentee", "America/Sao_Paulo"),
    DemoPerson("Fatima Zahra", f"fatima.zahra@{DEMO_DOMAIN}", "mentee", "Africa/Casablanca"),
    DemoPerson("Noah Fischer", f"noah.fischer@{DEMO_DOMAIN}", "mentee", "Europe/Zurich"),
)


@dataclass(frozen=True)
class SeededLogin:
    person: DemoPerson
    password: str | None  # None: the account existed and its password was kept


def demo_password() -> str:
    # Readable yet unguessable: four groups of four lowercase letters and digits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def demo_seed(*, reset_passwords: bool = False) -> list[SeededLogin]:
    """Create the demo accounts that are missing; never duplicate or overwrite one.

    Returns one entry per demo person, with the new password for accounts created
    now (or reset on request) and None for accounts left as they were.
    """
    logins: list[SeededLogin] = []
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        password: str | None = None
        if user is None:
            password = demo_password()
            user = User.objects.create_user(
                person.email,
                password,
                full_name=person.full_name,
                time_zone=person.time_zone,
                is_staff=person.is_staff,
                is_superuser=person.is_staff,
                is_hr_viewer=person.is_hr_viewer,
                is_coordinator=person.is_coordinator,
            )
        elif reset_passwords:
            password = demo_password()
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user,
            email=person.email,
            defaults={"verified": True, "primary": True},
        )
        logins.append(SeededLogin(person, password))
    return logins


def demo_logins_write(path: Path, logins: list[SeededLogin]) -> None:
    """Keep the passwords shown at seeding in a private file for later runs."""
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            email, _, password = line.partition(" ")
            if email and password:
                known[email] = password
    for login in logins:
        if login.password:
            known[login.person.email] = login.password
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("".join(f"{email} {pw}\n" for email, pw in known.items()))


def demo_logins_read(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.partition(" ") for line in path.read_text().splitlines())
    return {email: password for email, _, password in pairs if email and password}
