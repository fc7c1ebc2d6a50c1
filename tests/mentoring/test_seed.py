from __future__ import annotations

import io
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from mentoring.demo import DEMO_PEOPLE
from mentoring.models import User

pytestmark = pytest.mark.django_db


def _seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def test_seed_creates_every_persona_with_a_verified_email() -> None:
    output = _seed()
    assert User.objects.count() == len(DEMO_PEOPLE)
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == len(DEMO_PEOPLE)
    assert User.objects.filter(is_staff=True, is_superuser=True).count() == 1
    assert User.objects.filter(is_hr_viewer=True).count() == 1
    assert User.objects.filter(is_coordinator=True).count() == 1
    for person in DEMO_PEOPLE:
        assert person.email in output


def test_printed_passwords_log_the_people_in(settings) -> None:
    _seed()
    logins = (settings.VAR_DIR / "demo-logins.txt").read_text().split()
    pairs = dict(zip(logins[::2], logins[1::2], strict=True))
    assert set(pairs) == {person.email for person in DEMO_PEOPLE}
    for email, password in pairs.items():
        assert User.objects.get(email=email).check_password(password)
    assert oct((settings.VAR_DIR / "demo-logins.txt").stat().st_mode & 0o777) == "0o600"


def test_seeding_twice_changes_nothing() -> None:
    _seed()
    before = {u.email: (u.pk, u.password) for u in User.objects.all()}
    output = _seed()
    after = {u.email: (u.pk, u.password) for u in User.objects.all()}
    assert after == before
    assert EmailAddress.objects.count() == len(DEMO_PEOPLE)
    assert "nothing changed" in output


def test_seed_adds_only_the_missing_people() -> None:
    _seed()
    User.objects.filter(email=DEMO_PEOPLE[-1].email).delete()
    output = _seed()
    assert User.objects.count() == len(DEMO_PEOPLE)
    assert "1 new passwords" in output


def test_reset_passwords_gives_new_working_passwords() -> None:
    _seed()
    old = User.objects.get(email=DEMO_PEOPLE[0].email).password
    _seed("--reset-passwords")
    assert User.objects.get(email=DEMO_PEOPLE[0].email).password != old
    assert User.objects.count() == len(DEMO_PEOPLE)
