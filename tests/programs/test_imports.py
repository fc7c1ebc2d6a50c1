"""The CSV participant import: reading, checking every row, and applying in one go."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail

from mentoring.models import User
from programs import imports
from programs.imports import checking as import_checking
from programs.imports import (
    csv_parse,
    decode_upload,
    participant_import_apply,
    participant_import_create,
    problems_csv,
    rows_check,
)
from programs.imports import services as import_services
from programs.models import Participant, ParticipantImport, Program
from programs.services import ProgramError, program_transition
from tests.factories import user_create
from tests.factories.programs import participant_create

DATA = Path(__file__).parent / "data"
Status = ParticipantImport.Status


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in-process even when the suite runs against Redis."""
    from mentoring.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def create(program: Program, by: User, content: bytes, name: str = "people.csv"):
    return participant_import_create(program=program, by=by, file_name=name, data=content)


def by_place(participant_import: ParticipantImport) -> dict[tuple[int, str], str]:
    """Each problem's message by (row, column letter)."""
    return {(p["row"], p["letter"]): p["message"] for p in participant_import.problems}


def csv_of(rows: int, *, start: int = 0) -> bytes:
    lines = ["name,email,role,time zone"]
    for n in range(start, start + rows):
        role = "mentor" if n % 3 == 0 else "mentee"
        lines.append(f"Person {n},person{n}@example.com,{role},Europe/London")
    return ("\n".join(lines) + "\n").encode()


# -- One file with every kind of problem ---------------------------------------------


def test_every_problem_kind_is_reported_on_its_row_and_column_and_nothing_is_written(
    program: Program, coordinator: User
) -> None:
    participant_create(program=program, user=None, email="enrolled@example.org")
    participants_before = Participant.objects.count()

    participant_import = create(program, coordinator, data("every_problem.csv"))

    assert participant_import.status == Status.INVALID
    problems = by_place(participant_import)
    assert set(problems) == {
        (1, "I"),  # unknown column "Notes"
        (3, "B"),  # bad email
        (4, "C"),  # unknown role
        (5, "B"),  # same email as row 2 (in another case)
        (6, "B"),  # already enrolled
        (7, "H"),  # unknown time zone
        (8, "B"),  # missing email
        (9, "C"),  # missing role
        (10, "D"),  # department too long
        (11, "F"),  # manager's email is not an email
        (13, "J"),  # a value beyond the last column
    }
    assert 'Unknown column "Notes"' in problems[1, "I"]
    assert problems[3, "B"] == "Not a valid email address."
    assert 'Unknown role "boss"' in problems[4, "C"]
    assert "already on row 2" in problems[5, "B"]
    assert "Already in this program as a mentee (active)" in problems[6, "B"]
    assert "Unknown time zone" in problems[7, "H"]
    assert problems[8, "B"] == "Missing email: every row needs one."
    assert problems[9, "C"].startswith("Missing role")
    assert problems[10, "D"] == "Too long: 121 characters, at most 120."
    assert problems[11, "F"] == "Not a valid email address."
    assert "more values than the header has columns" in problems[13, "J"]
    # The column is named as the coordinator's file names it, with the value they typed.
    by_row = {p["row"]: p for p in participant_import.problems}
    assert by_row[3]["column"] == "E-mail"
    assert by_row[3]["value"] == "not-an-email"
    assert by_row[7]["column"] == "Timezone"
    assert by_row[11]["column"] == "Manager's email"
    assert [p["row"] for p in participant_import.problems] == sorted(by_row)
    # The BOM and the semicolons are fine, and said so; the blank row 12 is skipped.
    notices = " ".join(participant_import.notices)
    assert "byte order mark" in notices
    assert "semicolons" in notices
    assert "1 empty row was skipped" in notices
    assert participant_import.summary["rows"] == 12
    assert participant_import.summary["problem_count"] == 11
    # Nothing was written, and nothing of the file is kept.
    assert Participant.objects.count() == participants_before
    assert participant_import.content == ""
    with pytest.raises(ProgramError):
        participant_import_apply(participant_import=participant_import, by=coordinator)
    assert Participant.objects.count() == participants_before


# -- Encodings and separators ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "notice"),
    [
        ("clean.csv", None),
        ("clean_utf8_bom.csv", "byte order mark"),
        ("clean_utf16.csv", "UTF-16"),
        ("clean_cp1252.csv", "Windows-1252"),
        ("clean_semicolon.csv", "semicolons"),
        ("clean_tab.csv", "tabs"),
    ],
)
def test_a_clean_file_in_any_common_encoding_or_separator_is_ready(
    program: Program, coordinator: User, name: str, notice: str | None
) -> None:
    participant_import = create(program, coordinator, data(name), name=name)

    assert participant_import.status == Status.READY, participant_import.problems
    assert participant_import.problems == []
    summary = participant_import.summary
    assert (summary["rows"], summary["mentors"], summary["mentees"]) == (3, 1, 2)
    # Accents survive whatever the encoding was.
    assert summary["sample"][0]["full_name"] == "José Müller"
    assert summary["sample"][0]["location"] == "Zürich"
    if notice is None:
        assert participant_import.notices == []
    else:
        assert any(notice in text for text in participant_import.notices)


def test_utf16_without_a_byte_order_mark_is_read(program: Program, coordinator: User) -> None:
    content = data("clean.csv").decode().encode("utf-16-le")
    participant_import = create(program, coordinator, content)
    assert participant_import.status == Status.READY
    assert any("without a byte order mark" in text for text in participant_import.notices)


def test_bytes_that_are_text_in_no_western_encoding_cannot_be_read() -> None:
    # 0x81 is undefined in Windows-1252 and a control character in Latin-1.
    decoded = decode_upload("name,email,role\nA\x81,a@example.org,mentor\n".encode("latin-1"))
    assert "could not be read as text" in decoded.problem
    assert decoded.text == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\r\n", "The file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a workbook", "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "spreadsheet workbook"),
        (b"%PDF-1.7 ...", "PDF"),
        (b"name,email,role\n\x01\x02\x03\x04,x,y\n", "could not be read as text"),
    ],
)
def test_a_file_that_is_not_csv_text_is_one_clear_problem(
    program: Program, coordinator: User, content: bytes, expected: str
) -> None:
    participant_import = create(program, coordinator, content)

    assert participant_import.status == Status.INVALID
    [problem] = participant_import.problems
    assert problem["row"] == 0
    assert expected in problem["message"]


def test_the_empty_fixture_file_is_reported_empty(program: Program, coordinator: User) -> None:
    participant_import = create(program, coordinator, data("empty.csv"))
    assert participant_import.status == Status.INVALID
    assert participant_import.problems[0]["message"] == "The file is empty."


def test_a_header_without_rows_has_nobody_to_invite(program: Program, coordinator: User) -> None:
    participant_import = create(program, coordinator, data("header_only.csv"))
    assert participant_import.status == Status.INVALID
    [problem] = participant_import.problems
    assert problem["row"] == 0
    assert "nobody to invite" in problem["message"]


# -- Headers ---------------------------------------------------------------------------


def test_wrong_headers_name_each_bad_column_and_the_missing_one(
    program: Program, coordinator: User
) -> None:
    participant_import = create(program, coordinator, data("wrong_headers.csv"))

    assert participant_import.status == Status.INVALID
    header_problems = [p for p in participant_import.problems if p["row"] == 1]
    messages = {p["column"]: p["message"] for p in header_problems}
    assert 'Did you mean "department"?' in messages["Departmnet"]
    assert "appears twice (columns B and D)" in messages["email"]
    assert 'Unknown column "Favourite colour"' in messages["Favourite colour"]
    assert messages["role"] == 'The "role" column is missing; every file needs one.'
    assert {p["letter"] for p in header_problems} == {"C", "D", "E", ""}


def test_a_file_without_a_header_row_says_so_once(program: Program, coordinator: User) -> None:
    participant_import = create(program, coordinator, data("no_header.csv"))

    [problem] = participant_import.problems
    assert problem["row"] == 1
    assert "first row must name the columns" in problem["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Full Name,E-Mail,ROLE,Dept,Job Title,Manager Email,Location,Time Zone",
        "name,email,role,department,job_title,manager_email,location,time_zone",
        "Name,Email address,Role,Department,Title,Manager's e-mail,Office,Timezone",
        "NAME;EMAIL;ROLE;DEPARTMENT;JOB TITLE;MANAGER\u2019S EMAIL;LOCATION;TZ",
    ],
)
def test_common_header_spellings_are_understood(
    program: Program, coordinator: User, header: str, eager_celery: None
) -> None:
    separator = ";" if ";" in header else ","
    row = separator.join(
        [
            "Ada Lovelace",
            "ada@example.org",
            "Mentor",
            "Engineering",
            "Principal",
            "Boss@Example.org",
            "London",
            "europe/london",
        ]
    )
    participant_import = create(program, coordinator, f"{header}\n{row}\n".encode())
    assert participant_import.status == Status.READY, participant_import.problems

    participant_import_apply(participant_import=participant_import, by=coordinator)

    ada = Participant.objects.get(program=program, email="ada@example.org")
    assert (ada.full_name, ada.role, ada.department, ada.job_title) == (
        "Ada Lovelace",
        Participant.Role.MENTOR,
        "Engineering",
        "Principal",
    )
    assert (ada.manager_email, ada.location, ada.time_zone) == (
        "boss@example.org",
        "London",
        "Europe/London",
    )


def test_no_name_column_is_allowed_with_a_notice(program: Program, coordinator: User) -> None:
    participant_import = create(program, coordinator, b"email,role\nada@example.org,mentor\n")
    assert participant_import.status == Status.READY
    assert any("no name column" in notice for notice in participant_import.notices)


# -- Sizes -------------------------------------------------------------------------------


def test_more_than_ten_thousand_people_is_refused(program: Program, coordinator: User) -> None:
    participant_import = create(program, coordinator, csv_of(imports.MAX_ROWS + 1))

    assert participant_import.status == Status.INVALID
    [problem] = participant_import.problems
    assert problem["row"] == 0
    assert "10,001 people; one import takes at most 10,000" in problem["message"]


def test_a_file_over_the_size_limit_is_refused_without_reading_it(
    program: Program, coordinator: User
) -> None:
    participant_import = participant_import_create(
        program=program,
        by=coordinator,
        file_name="huge.csv",
        data=b"name,email,role\n",
        size=7 * 1024 * 1024,
    )
    assert participant_import.status == Status.INVALID
    assert "7.0 MB; the limit is 5 MB" in participant_import.problems[0]["message"]
    assert participant_import.content == ""


# -- Row numbering and the pure functions -----------------------------------------------------


def test_rows_are_numbered_as_the_spreadsheet_shows_them_even_with_multiline_cells() -> None:
    text = (
        "name,email,role\n"
        '"Ada\nLovelace",ada@example.org,mentor\n'  # one spreadsheet row, two lines
        "\n"  # a blank row still has a number
        "Grace,grace@,mentee\n"
    )
    result = rows_check(csv_parse(text), enrolled={})
    assert [(p["row"], p["letter"]) for p in result.problems] == [(4, "B")]


def test_already_enrolled_is_matched_through_the_account_too() -> None:
    result = rows_check(
        csv_parse("email,role\nAda@Example.org,mentee\n"),
        enrolled={"ada@example.org": ("mentor", "invited")},
    )
    assert result.problems[0]["message"] == "Already in this program as a mentor (invited)."


def test_problems_csv_neutralises_spreadsheet_formulas() -> None:
    csv_text = problems_csv(
        [{"row": 3, "column": "name", "letter": "A", "value": "=HYPERLINK(1)", "message": "x"}]
    )
    assert "'=HYPERLINK(1)" in csv_text
    assert csv_text.splitlines()[1].startswith("3,name (A),")


# -- Applying -----------------------------------------------------------------------------


def test_a_clean_file_enrols_exactly_its_people_and_emails_each_once(
    program: Program,
    coordinator: User,
    eager_celery: None,
    django_capture_on_commit_callbacks,
) -> None:
    existing = user_create(email="alan@example.org", full_name="Alan T.")
    participant_import = create(program, coordinator, data("clean.csv"))
    assert participant_import.summary["with_account"] == 1
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        participant_import = participant_import_apply(
            participant_import=participant_import, by=coordinator
        )

    assert participant_import.status == Status.APPLIED
    assert participant_import.applied_count == 3
    assert participant_import.content == ""  # the file is not kept once applied
    people = {
        p.email: p
        for p in Participant.objects.filter(program=program).select_related("user", "invited_by")
    }
    assert set(people) == {
        "jose.muller@example.org",
        "grace.hopper@example.org",
        "alan@example.org",
    }
    grace = people["grace.hopper@example.org"]
    assert (grace.role, grace.status, grace.time_zone) == (
        Participant.Role.MENTEE,
        Participant.Status.INVITED,
        "America/New_York",
    )
    assert grace.invited_by == coordinator
    assert grace.invited_at is not None
    assert people["alan@example.org"].user == existing
    assert sorted(message.to[0] for message in mail.outbox) == sorted(people)


def test_applying_twice_does_nothing_the_second_time(
    program: Program,
    coordinator: User,
    eager_celery: None,
    django_capture_on_commit_callbacks,
) -> None:
    participant_import = create(program, coordinator, data("clean.csv"))
    with django_capture_on_commit_callbacks(execute=True):
        participant_import_apply(participant_import=participant_import, by=coordinator)
    stale = ParticipantImport.objects.get(pk=participant_import.pk)
    stale.status = Status.READY  # a second tab still showing the button

    with django_capture_on_commit_callbacks(execute=True):
        again = participant_import_apply(participant_import=stale, by=coordinator)

    assert again.status == Status.APPLIED
    assert Participant.objects.filter(program=program).count() == 3
    assert len(mail.outbox) == 3


def test_someone_enrolled_after_the_preview_stops_the_apply_with_their_row(
    program: Program, coordinator: User, django_capture_on_commit_callbacks
) -> None:
    participant_import = create(program, coordinator, data("clean.csv"))
    assert participant_import.status == Status.READY
    participant_create(program=program, user=None, email="alan@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        participant_import = participant_import_apply(
            participant_import=participant_import, by=coordinator
        )

    assert participant_import.status == Status.INVALID
    assert by_place(participant_import) == {
        (4, "B"): "Already in this program as a mentee (active)."
    }
    assert Participant.objects.filter(program=program).count() == 1
    assert mail.outbox == []


def test_a_race_lost_at_insert_time_rolls_back_and_lists_who_was_enrolled_meanwhile(
    program: Program, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import IntegrityError

    participant_import = create(program, coordinator, data("clean.csv"))
    # Another path enrols Alan, committing after the apply's re-check read the program
    # (its first read sees nobody) and before its insert, which the constraint stops.
    participant_create(program=program, user=None, email="alan@example.org")
    real_enrolled_in = import_services.enrolled_in
    calls: list[int] = []

    def enrolled_in(program: Program) -> dict[str, tuple[str, str]]:
        calls.append(1)
        return {} if len(calls) == 1 else real_enrolled_in(program)

    def invite_loses_the_race(**kwargs: object) -> list[Participant]:
        raise IntegrityError("participant_one_enrolment_per_email")

    monkeypatch.setattr(import_services, "enrolled_in", enrolled_in)
    monkeypatch.setattr(import_services, "participants_invite", invite_loses_the_race)

    participant_import = participant_import_apply(
        participant_import=participant_import, by=coordinator
    )

    # ...so the insert fails, everything rolls back and the file is checked again.
    assert participant_import.status == Status.INVALID
    assert by_place(participant_import) == {
        (4, "B"): "Already in this program as a mentee (active)."
    }
    assert list(Participant.objects.filter(program=program).values_list("email", flat=True)) == [
        "alan@example.org"
    ]


def test_a_program_closed_after_the_preview_refuses_the_apply(
    program: Program, coordinator: User
) -> None:
    participant_import = create(program, coordinator, data("clean.csv"))
    program_transition(program=program, to_state=Program.State.CLOSED, by=coordinator)

    participant_import = participant_import_apply(
        participant_import=participant_import, by=coordinator
    )

    assert participant_import.status == Status.INVALID
    assert "closed program" in participant_import.problems[0]["message"]
    assert not Participant.objects.filter(program=program).exists()


def test_a_draft_program_checks_a_file_but_refuses_to_apply_it(
    program: Program, coordinator: User
) -> None:
    program_transition(program=program, to_state=Program.State.DRAFT, by=coordinator)
    participant_import = create(program, coordinator, data("clean.csv"))
    assert participant_import.status == Status.READY

    participant_import = participant_import_apply(
        participant_import=participant_import, by=coordinator
    )

    assert participant_import.status == Status.INVALID
    assert "Open enrolment" in participant_import.problems[0]["message"]
    assert not Participant.objects.filter(program=program).exists()


def test_a_closed_program_takes_no_upload(program: Program, coordinator: User) -> None:
    program_transition(program=program, to_state=Program.State.CLOSED, by=coordinator)
    with pytest.raises(ProgramError):
        create(program, coordinator, data("clean.csv"))
    assert not ParticipantImport.objects.exists()


# -- Large files: background tasks and progress --------------------------------------------


def test_a_large_file_is_checked_and_applied_by_tasks_after_commit(
    program: Program,
    coordinator: User,
    eager_celery: None,
    django_capture_on_commit_callbacks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(import_services, "INLINE_MAX_ROWS", 10)
    monkeypatch.setattr(import_checking, "PROGRESS_EVERY", 5)
    # What the page would read from the database at each batch of the check.
    seen: list[int] = []
    real_check = import_services.rows_check

    def spying_check(parsed, *, enrolled, progress=None):
        def spy(done: int) -> None:
            assert progress is not None
            progress(done)
            seen.append(ParticipantImport.objects.values_list("processed_rows", flat=True).get())

        return real_check(parsed, enrolled=enrolled, progress=spy if progress else None)

    monkeypatch.setattr(import_services, "rows_check", spying_check)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        participant_import = create(program, coordinator, csv_of(12))
    # Nothing is checked inside the request; the task runs once the upload commits.
    assert participant_import.status == Status.CHECKING
    assert participant_import.total_rows == 12
    for callback in callbacks:
        callback()
    participant_import.refresh_from_db()
    assert participant_import.status == Status.READY
    assert seen == [5, 10]  # bounded batches, visible to the page as they happen
    assert participant_import.processed_rows == 12

    with django_capture_on_commit_callbacks(execute=True):
        participant_import = participant_import_apply(
            participant_import=participant_import, by=coordinator
        )
        assert participant_import.status == Status.APPLYING
    participant_import.refresh_from_db()
    assert participant_import.status == Status.APPLIED
    assert Participant.objects.filter(program=program).count() == 12
    assert len(mail.outbox) == 12


def test_the_tasks_are_safe_to_run_twice(
    program: Program, coordinator: User, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    from programs.import_tasks import apply_participant_import_task, check_participant_import_task

    participant_import = create(program, coordinator, data("clean.csv"))
    assert check_participant_import_task(participant_import.pk) == Status.READY
    with django_capture_on_commit_callbacks(execute=True):
        participant_import_apply(participant_import=participant_import, by=coordinator)
        assert apply_participant_import_task(participant_import.pk, coordinator.pk) == (
            Status.APPLIED
        )
    assert Participant.objects.filter(program=program).count() == 3
    assert len(mail.outbox) == 3
    assert check_participant_import_task(0) == "missing"


def test_checking_costs_the_same_queries_for_20_and_2000_rows(
    program: Program, coordinator: User, django_assert_num_queries, monkeypatch
) -> None:
    monkeypatch.setattr(import_services, "INLINE_MAX_ROWS", 5_000)
    # Whom the program already has is read once, however many rows are checked.
    participant_create(program=program, user=None, email="someone.else@example.com")
    user_create(email="person3@example.com")
    user_create(email="person10003@example.com")

    def queries_for(rows: int, start: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            participant_import = create(program, coordinator, csv_of(rows, start=start))
        assert participant_import.status in (Status.READY, Status.INVALID)
        return len(context.captured_queries)

    small = queries_for(20, 0)
    large = queries_for(2_000, 10_000)
    assert small == large
    assert small <= 10
