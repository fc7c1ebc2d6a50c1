"""The import pages: upload, preview with progress and problems, apply; who may use them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from mentoring.models import User
from programs.imports import participant_import_create
from programs.models import Participant, ParticipantImport, Program
from tests.factories.programs import participant_create

DATA = Path(__file__).parent / "data"
Status = ParticipantImport.Status


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run tasks in-process even when the suite runs against Redis."""
    from mentoring.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    body = (DATA / name).read_bytes() if content is None else content
    return SimpleUploadedFile(name, body, content_type="text/csv")


def make_import(program: Program, by: User, name: str = "clean.csv") -> ParticipantImport:
    return participant_import_create(
        program=program, by=by, file_name=name, data=(DATA / name).read_bytes()
    )


def upload_url(program: Program) -> str:
    return reverse("programs:import_upload", args=[program.pk])


def detail_url(program: Program, participant_import: ParticipantImport) -> str:
    return reverse("programs:import_detail", args=[program.pk, participant_import.pk])


def apply_url(program: Program, participant_import: ParticipantImport) -> str:
    return reverse("programs:import_apply", args=[program.pk, participant_import.pk])


# -- Who may use the pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", 200),
        ("outsider", 404),
        ("other_coordinator", 404),
        ("mentee_user", 403),
        ("hr", 403),
        ("staff", 403),
    ],
)
def test_only_the_programs_coordinators_open_the_import_pages(
    client: Client, program: Program, coordinator: User, request, persona: str, expected: int
) -> None:
    participant_import = make_import(program, coordinator)
    user = (
        request.getfixturevalue("mentee").user
        if persona == "mentee_user"
        else request.getfixturevalue(persona)
    )
    login(client, user)

    assert client.get(upload_url(program)).status_code == expected
    assert client.get(detail_url(program, participant_import)).status_code == expected
    if expected != 200:
        participants = Participant.objects.count()
        response = client.post(apply_url(program, participant_import))
        assert response.status_code == expected
        response = client.post(upload_url(program), {"file": upload("clean.csv")})
        assert response.status_code == expected
        assert ParticipantImport.objects.count() == 1
        assert Participant.objects.count() == participants
        participant_import.refresh_from_db()
        assert participant_import.status == Status.READY


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, program: Program) -> None:
    response = client.get(upload_url(program))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_an_import_opened_under_another_programs_address_is_not_found(
    client: Client, program: Program, other_program: Program, coordinator: User
) -> None:
    other_program.coordinators.add(coordinator)  # they may see both programs
    participant_import = make_import(program, coordinator)
    login(client, coordinator)

    assert client.get(detail_url(other_program, participant_import)).status_code == 404
    assert client.post(apply_url(other_program, participant_import)).status_code == 404
    participant_import.refresh_from_db()
    assert participant_import.status == Status.READY


# -- Upload and preview ----------------------------------------------------------------------


def test_upload_page_offers_the_form_the_template_and_recent_imports(
    client: Client, program: Program, coordinator: User
) -> None:
    make_import(program, coordinator, "every_problem.csv")
    login(client, coordinator)

    response = client.get(upload_url(program))

    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html
    assert "/static/programs/participants-template.csv" in html
    assert "every_problem.csv" in html
    assert "Has problems" in html


def test_a_file_with_problems_is_listed_by_row_and_column_with_a_corrected_upload_form(
    client: Client, program: Program, coordinator: User
) -> None:
    participant_create(program=program, user=None, email="enrolled@example.org")
    login(client, coordinator)

    response = client.post(upload_url(program), {"file": upload("every_problem.csv")})

    participant_import = ParticipantImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(program, participant_import)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Nothing was applied: 11 problems to fix first." in html
    assert "Not a valid email address." in html
    assert "already on row 2" in html
    assert '<code class="import-value" title="not-an-email">not-an-email</code>' in html
    assert "Upload a corrected file" in html
    assert 'action="' + upload_url(program) + '"' in html
    assert "Apply and send" not in html
    assert "semicolons" in html  # the notices are shown


def test_a_clean_file_shows_counts_a_sample_and_the_apply_button(
    client: Client, program: Program, coordinator: User
) -> None:
    login(client, coordinator)
    response = client.post(upload_url(program), {"file": upload("clean.csv")}, follow=True)

    html = response.content.decode()
    assert "No problems found: 3 people are ready to be invited." in html
    assert "Apply and send 3 invitations" in html
    assert "José Müller" in html
    assert "America/New_York" in html
    assert "Upload a corrected file" not in html


def test_uploading_nothing_shows_the_form_again_with_an_error(
    client: Client, program: Program, coordinator: User
) -> None:
    login(client, coordinator)
    response = client.post(upload_url(program), {})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not ParticipantImport.objects.exists()


def test_an_empty_file_reaches_the_preview_with_its_problem(
    client: Client, program: Program, coordinator: User
) -> None:
    login(client, coordinator)
    response = client.post(upload_url(program), {"file": upload("empty.csv")}, follow=True)
    assert "The file is empty." in response.content.decode()


def test_a_closed_program_refuses_uploads_in_the_form(
    client: Client, program: Program, coordinator: User
) -> None:
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    login(client, coordinator)
    response = client.post(upload_url(program), {"file": upload("clean.csv")})
    assert response.status_code == 200
    assert "A closed program cannot take new participants." in response.content.decode()


def test_problems_download_as_csv(client: Client, program: Program, coordinator: User) -> None:
    participant_import = make_import(program, coordinator, "every_problem.csv")
    login(client, coordinator)

    response = client.get(detail_url(program, participant_import), {"download": "problems"})

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="every_problem-problems.csv"' in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "row,column,value,problem"
    assert lines[2].startswith("3,E-mail (B),not-an-email,")
    assert len(lines) == 1 + 10  # a header, then every problem (nobody is enrolled yet here)


def test_the_preview_costs_the_same_queries_for_few_and_many_problems(
    client: Client, program: Program, coordinator: User, django_assert_max_num_queries
) -> None:
    few = make_import(program, coordinator, "every_problem.csv")
    rows = "\n".join(f"Person {n},bad-{n},mentee" for n in range(600))
    many = participant_import_create(
        program=program,
        by=coordinator,
        file_name="many.csv",
        data=f"name,email,role\n{rows}\n".encode(),
    )
    # 600 rows is a background check; run it here.
    from programs.imports import participant_import_check

    many = participant_import_check(participant_import=many)
    assert many.summary["problem_count"] == 600
    login(client, coordinator)
    client.get(detail_url(program, few))  # warm the session

    with django_assert_max_num_queries(8) as few_queries:
        client.get(detail_url(program, few))
    with django_assert_max_num_queries(len(few_queries)) as many_queries:
        response = client.get(detail_url(program, many), {"page": 2})
    assert len(many_queries) == len(few_queries)
    assert "Page 2 of 6" in response.content.decode()


def test_a_file_with_thousands_of_problems_lists_the_first_ones_and_says_so(
    client: Client, program: Program, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from programs.imports import checking

    monkeypatch.setattr(checking, "MAX_LISTED_PROBLEMS", 3)
    rows = "\n".join(f"Person {n},bad-{n},mentee" for n in range(5))
    participant_import = participant_import_create(
        program=program,
        by=coordinator,
        file_name="bad.csv",
        data=f"name,email,role\n{rows}\n".encode(),
    )
    assert len(participant_import.problems) == 3
    assert participant_import.summary["problem_count"] == 5
    login(client, coordinator)

    html = client.get(detail_url(program, participant_import)).content.decode()

    assert "Nothing was applied: 5 problems to fix first." in html
    assert "The first 3 of 5 problems are listed" in html


# -- Progress while a large file is worked on ----------------------------------------------


def running_import(program: Program, by: User, status: str) -> ParticipantImport:
    return ParticipantImport.objects.create(
        program=program,
        created_by=by,
        file_name="big.csv",
        content="name,email,role\n",
        status=status,
        total_rows=8000,
        processed_rows=2000,
    )


def test_a_running_check_shows_a_progress_bar_that_polls(
    client: Client, program: Program, coordinator: User
) -> None:
    participant_import = running_import(program, coordinator, Status.CHECKING)
    login(client, coordinator)

    html = client.get(detail_url(program, participant_import)).content.decode()

    assert '<progress id="import-progress-bar"' in html
    assert 'max="8000" value="2000"' in html
    assert "Checked 2,000 of 8,000 rows" in html
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-live="polite"' in html
    assert "Apply and send" not in html


def test_htmx_polling_gets_only_the_progress_partial(
    client: Client, program: Program, coordinator: User
) -> None:
    participant_import = running_import(program, coordinator, Status.APPLYING)
    login(client, coordinator)

    response = client.get(detail_url(program, participant_import), headers={"HX-Request": "true"})

    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<div id="import-progress"')
    assert "<html" not in html
    assert "page-header" not in html
    assert "<progress" in html
    assert 'hx-trigger="every 1s"' in html
    assert "Enrolling 8,000 people in one go" in html


def test_htmx_polling_stops_with_a_reload_once_the_work_is_done(
    client: Client, program: Program, coordinator: User
) -> None:
    participant_import = make_import(program, coordinator)
    login(client, coordinator)

    response = client.get(detail_url(program, participant_import), headers={"HX-Request": "true"})

    assert response["HX-Refresh"] == "true"
    assert b"hx-trigger" not in response.content


# -- Applying --------------------------------------------------------------------------------


def test_applying_enrols_everyone_and_sends_one_invitation_each(
    client: Client,
    program: Program,
    coordinator: User,
    eager_celery: None,
    django_capture_on_commit_callbacks,
) -> None:
    participant_import = make_import(program, coordinator)
    login(client, coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(program, participant_import), follow=True)

    html = response.content.decode()
    assert "3 people were enrolled; their invitations are on their way." in html
    assert "Applied: 3 people were enrolled and invited." in html
    assert (
        Participant.objects.filter(program=program, status=Participant.Status.INVITED).count() == 3
    )
    assert len(mail.outbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(apply_url(program, participant_import), follow=True)
    assert again.status_code == 200
    assert Participant.objects.filter(program=program).count() == 3
    assert len(mail.outbox) == 3


def test_a_file_with_problems_cannot_be_applied(
    client: Client, program: Program, coordinator: User
) -> None:
    participant_import = make_import(program, coordinator, "wrong_headers.csv")
    login(client, coordinator)

    response = client.post(apply_url(program, participant_import), follow=True)

    assert "Only a file without problems can be applied." in response.content.decode()
    assert not Participant.objects.filter(program=program).exists()


def test_apply_only_accepts_post(client: Client, program: Program, coordinator: User) -> None:
    participant_import = make_import(program, coordinator)
    login(client, coordinator)
    assert client.get(apply_url(program, participant_import)).status_code == 405
