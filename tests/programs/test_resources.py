"""Program resources: guides, their attachments, the starter set and who opened what."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guides import attachments, selectors, services
from guides.attachments import attachment_safe_name
from guides.models import Resource, ResourceAttachment, ResourceView
from guides.starter import STARTER_GUIDES
from mentoring.audience import Audience
from mentoring.models import User
from programs.models import Participant, Program
from programs.services import ProgramError
from programs.services import program_create as program_create_service
from tests.factories import user_create
from tests.factories.programs import participant_create, program_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def office(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(marker, "<document/>")
    return buffer.getvalue()


DOCX = office("word/document.xml")
PPTX = office("ppt/presentation.xml")
XLSX = office("xl/workbook.xml")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def guide(program: Program, **fields: Any) -> Resource:
    values: dict[str, Any] = {
        "title": "Running a first meeting",
        "body": "Plan **an hour**.",
        "audience": Audience.BOTH,
        "published_at": timezone.now(),
    }
    values.update(fields)
    position = Resource.objects.filter(program=program).count() + 1
    return Resource.objects.create(program=program, position=position, **values)


def attach(resource: Resource, name: str = "agreement.pdf", content: bytes = PDF) -> Any:
    checked = attachments.attachment_check(upload(name, content))
    return services.resource_update(
        resource=resource,
        by=resource.program.coordinators.first(),  # type: ignore[arg-type]
        title=resource.title,
        audience=resource.audience,
        body=resource.body,
        links=[],
        publish=resource.is_published,
        attachments=[checked],
    ).attachments.get(name=checked.name)


def login(client: Client, who: User | Participant) -> None:
    user = who.user if isinstance(who, Participant) else who
    assert user is not None
    client.force_login(user)


# -- Access: every view, with someone who may and someone who may not ----------------------


@pytest.fixture
def mentee_guide(program: Program) -> Resource:
    return guide(program, title="For mentees", audience=Audience.MENTEES)


@pytest.fixture
def urls(program: Program, mentee_guide: Resource) -> dict[str, str]:
    file = attach(mentee_guide)
    args = [program.pk, mentee_guide.pk]
    return {
        "list": reverse("guides:resource_list", args=[program.pk]),
        "create": reverse("guides:resource_create", args=[program.pk]),
        "starter": reverse("guides:resource_starter_add", args=[program.pk]),
        "detail": reverse("guides:resource_detail", args=args),
        "edit": reverse("guides:resource_edit", args=args),
        "delete": reverse("guides:resource_delete", args=args),
        "move": reverse("guides:resource_move", args=args),
        "publish": reverse("guides:resource_publish", args=args),
        "download": reverse("guides:attachment_download", args=[*args, file.pk]),
        "file_delete": reverse("guides:attachment_delete", args=[*args, file.pk]),
    }


READ = ("list", "detail", "download")
MANAGE_GET = ("create", "edit", "delete")
MANAGE_POST = ("starter", "move", "publish", "file_delete", "delete")


def test_coordinators_open_and_use_every_resource_page(
    client: Client, coordinator: User, urls: dict[str, str]
) -> None:
    login(client, coordinator)
    for name in (*READ, *MANAGE_GET):
        assert client.get(urls[name]).status_code == 200, name
    for name in MANAGE_POST:
        assert client.post(urls[name], {"direction": "up"}).status_code == 302, name


def test_participants_read_guides_for_their_role_but_change_nothing(
    client: Client, mentee: Participant, urls: dict[str, str]
) -> None:
    login(client, mentee)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    for name in MANAGE_GET:
        assert client.get(urls[name]).status_code == 403, name
    for name in MANAGE_POST:
        assert client.post(urls[name]).status_code == 403, name


def test_a_guide_for_the_other_role_does_not_exist_for_a_participant(
    client: Client, mentor: Participant, urls: dict[str, str]
) -> None:
    login(client, mentor)
    assert client.get(urls["list"]).status_code == 200
    assert "For mentees" not in client.get(urls["list"]).content.decode()
    for name in ("detail", "download", "edit", "delete"):
        assert client.get(urls[name]).status_code == 404, name
    # Creating concerns no guide in particular: a member without the role gets 403.
    assert client.get(urls["create"]).status_code == 403
    for name in ("move", "publish", "file_delete", "delete"):
        assert client.post(urls[name]).status_code == 404, name


def test_hr_reads_published_guides_but_changes_nothing(
    client: Client, hr: User, urls: dict[str, str]
) -> None:
    login(client, hr)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    for name in MANAGE_GET:
        assert client.get(urls[name]).status_code == 403, name
    for name in MANAGE_POST:
        assert client.post(urls[name]).status_code == 403, name


@pytest.mark.parametrize("persona", ["outsider", "other_coordinator"])
def test_outsiders_and_other_programs_coordinators_get_404_everywhere(
    client: Client, persona: str, request: pytest.FixtureRequest, urls: dict[str, str]
) -> None:
    login(client, request.getfixturevalue(persona))
    for name in (*READ, *MANAGE_GET):
        assert client.get(urls[name]).status_code == 404, name
    for name in MANAGE_POST:
        assert client.post(urls[name]).status_code == 404, name


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, urls: dict[str, str]) -> None:
    for name in (*READ, *MANAGE_GET):
        response = client.get(urls[name])
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login"))


def test_drafts_are_seen_by_coordinators_only(
    client: Client, program: Program, coordinator: User, mentee: Participant, hr: User
) -> None:
    draft = guide(program, title="Secret draft", published_at=None)
    detail = reverse("guides:resource_detail", args=[program.pk, draft.pk])
    listing = reverse("guides:resource_list", args=[program.pk])
    login(client, coordinator)
    assert client.get(detail).status_code == 200
    assert "Secret draft" in client.get(listing).content.decode()
    for person in (mentee, hr):
        login(client, person)
        assert client.get(detail).status_code == 404
        assert "Secret draft" not in client.get(listing).content.decode()


def test_a_participant_sees_only_published_guides_for_them(program: Program) -> None:
    from programs.access import access_program

    mentee = participant_create(program=program, role=Participant.Role.MENTEE)
    mentor = participant_create(program=program, role=Participant.Role.MENTOR)
    guide(program, title="Everyone")
    guide(program, title="Mentees", audience=Audience.MENTEES)
    guide(program, title="Mentors", audience=Audience.MENTORS)
    guide(program, title="Draft", published_at=None)

    def titles(participant: Participant) -> list[str]:
        assert participant.user is not None
        access = access_program(participant.user, program.pk)
        return [r.title for r in selectors.resource_list(access=access)]

    assert titles(mentee) == ["Everyone", "Mentees"]
    assert titles(mentor) == ["Everyone", "Mentors"]


# -- Writing guides ----------------------------------------------------------------------------


def test_a_coordinator_writes_a_guide_with_links_and_a_file(
    client: Client, program: Program, coordinator: User, media_root: Path
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("guides:resource_create", args=[program.pk]),
        {
            "title": "Our mentoring policy",
            "audience": "mentors",
            "body": "Read **this** first.",
            "links": "Policy | https://intranet.example.com/policy\nhttps://example.org/faq",
            "attachments": [upload("Policy v2.pdf", PDF, "application/pdf")],
            "is_published": "on",
        },
    )
    resource = Resource.objects.get(title="Our mentoring policy")
    assert response.status_code == 302
    assert response["Location"] == reverse("guides:resource_detail", args=[program.pk, resource.pk])
    assert resource.audience == Audience.MENTORS
    assert resource.is_published
    assert resource.links == [
        {"label": "Policy", "url": "https://intranet.example.com/policy"},
        {"label": "https://example.org/faq", "url": "https://example.org/faq"},
    ]
    [file] = resource.attachments.all()
    assert file.name == "Policy v2.pdf"
    assert file.content_type == "application/pdf"
    assert file.size == len(PDF)
    # Stored under MEDIA_ROOT/private with a random name, not the uploaded one.
    path = Path(file.file.path)
    assert path.is_relative_to(media_root / "private")
    assert "Policy" not in path.name
    assert path.read_bytes() == PDF


def test_links_must_be_web_addresses(client: Client, program: Program, coordinator: User) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("guides:resource_create", args=[program.pk]),
        {"title": "Links", "audience": "both", "links": "Bad | javascript:alert(1)"},
    )
    assert response.status_code == 200
    assert "is not a web address" in response.content.decode()
    assert not Resource.objects.filter(title="Links").exists()


def test_a_guide_saved_as_draft_is_not_published(
    client: Client, program: Program, coordinator: User
) -> None:
    login(client, coordinator)
    client.post(
        reverse("guides:resource_create", args=[program.pk]),
        {"title": "Not yet", "audience": "both", "body": "…"},
    )
    resource = Resource.objects.get(title="Not yet")
    assert resource.published_at is None
    client.post(
        reverse("guides:resource_publish", args=[program.pk, resource.pk]),
        {"action": "publish"},
    )
    resource.refresh_from_db()
    assert resource.published_at is not None
    client.post(
        reverse("guides:resource_publish", args=[program.pk, resource.pk]),
        {"action": "unpublish"},
    )
    resource.refresh_from_db()
    assert resource.published_at is None


def test_editing_keeps_the_files_and_adds_new_ones(
    client: Client, program: Program, coordinator: User
) -> None:
    resource = guide(program)
    attach(resource, "one.pdf")
    login(client, coordinator)
    response = client.post(
        reverse("guides:resource_edit", args=[program.pk, resource.pk]),
        {
            "title": "Renamed",
            "audience": "mentees",
            "body": "New text",
            "links": "",
            "attachments": [upload("two.png", PNG)],
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.title == "Renamed"
    assert resource.published_at is None  # the box was unticked
    assert sorted(resource.attachments.values_list("name", flat=True)) == ["one.pdf", "two.png"]


def test_moving_guides_changes_their_order(
    client: Client, program: Program, coordinator: User
) -> None:
    first, second, third = (guide(program, title=t) for t in ("First", "Second", "Third"))
    login(client, coordinator)
    client.post(reverse("guides:resource_move", args=[program.pk, third.pk]), {"direction": "up"})
    order = list(Resource.objects.filter(program=program).values_list("title", flat=True))
    assert order == ["First", "Third", "Second"]
    response = client.post(
        reverse("guides:resource_move", args=[program.pk, first.pk]),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    # Already first: nothing moves; htmx gets the list back.
    assert response.status_code == 200
    assert 'id="resource-list"' in response.content.decode()
    order = list(Resource.objects.filter(program=program).values_list("title", flat=True))
    assert order == ["First", "Third", "Second"]
    assert not services.resource_move(resource=second, offset=1, by=coordinator)


def test_deleting_a_guide_deletes_its_files(
    client: Client, program: Program, coordinator: User, django_capture_on_commit_callbacks
) -> None:
    resource = guide(program)
    file = attach(resource)
    path = Path(file.file.path)
    assert path.exists()
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("guides:resource_delete", args=[program.pk, resource.pk]))
    assert response.status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not path.exists()


def test_removing_one_file_deletes_it_from_storage(
    client: Client, program: Program, coordinator: User, django_capture_on_commit_callbacks
) -> None:
    resource = guide(program)
    file = attach(resource)
    path = Path(file.file.path)
    login(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("guides:attachment_delete", args=[program.pk, resource.pk, file.pk]))
    assert not ResourceAttachment.objects.filter(pk=file.pk).exists()
    assert not path.exists()


def test_a_closed_program_refuses_changes(program: Program, coordinator: User) -> None:
    resource = guide(program)
    Program.objects.filter(pk=program.pk).update(state=Program.State.CLOSED)
    resource.program.refresh_from_db()
    with pytest.raises(ProgramError):
        services.resource_publish(resource=resource, publish=False, by=coordinator)
    with pytest.raises(ProgramError):
        services.resource_create(program=resource.program, by=coordinator, title="New")


# -- Attachments: limits and access ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("guide.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        (
            "agreement.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "slides.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("plan.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", "Grüße, notes\n".encode(), "text/plain"),
        ("notes.md", b"# Notes\n\n- one\n", "text/markdown"),
    ],
)
def test_allowed_files_are_accepted_with_the_sniffed_type(
    name: str, content: bytes, content_type: str
) -> None:
    checked = attachments.attachment_check(upload(name, content, "application/x-whatever"))
    assert checked.content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("tool.exe", b"MZ\x90\x00", "not a type we accept"),
        ("page.html", b"<script>alert(1)</script>", "not a type we accept"),
        ("drawing.svg", b"<svg onload=alert(1)/>", "not a type we accept"),
        ("archive.zip", DOCX, "not a type we accept"),
        ("no-extension", PDF, "not a type we accept"),
        ("fake.pdf", PNG, "does not contain what its name says"),
        ("fake.png", PDF, "does not contain what its name says"),
        ("fake.jpg", b"GIF89a....", "does not contain what its name says"),
        ("fake.docx", XLSX, "does not contain what its name says"),
        ("plain.docx", b"PK\x03\x04 not really a zip", "does not contain what its name says"),
        ("fake.txt", b"\x00\x01\x02binary\xff", "does not contain what its name says"),
        ("fake.md", b"MZ\x90\x00\x03\x00\x00", "does not contain what its name says"),
        ("html.txt", "<html>".encode("utf-16"), "does not contain what its name says"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_files_are_refused_by_extension_and_by_content(
    name: str, content: bytes, reason: str
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=reason):
        attachments.attachment_check(upload(name, content, "application/pdf"))


def test_files_over_the_size_limit_are_refused_on_the_page(
    client: Client, program: Program, coordinator: User, settings
) -> None:
    settings.RESOURCE_ATTACHMENT_MAX_BYTES = 1024
    login(client, coordinator)
    response = client.post(
        reverse("guides:resource_create", args=[program.pk]),
        {
            "title": "Big",
            "audience": "both",
            "attachments": [upload("big.pdf", PDF + b"x" * 2000)],
        },
    )
    assert response.status_code == 200
    assert "too large: files may be up to 1.0" in response.content.decode()
    assert not Resource.objects.filter(title="Big").exists()
    assert not ResourceAttachment.objects.exists()


def test_a_file_with_the_wrong_content_is_refused_on_the_page(
    client: Client, program: Program, coordinator: User, media_root: Path
) -> None:
    login(client, coordinator)
    response = client.post(
        reverse("guides:resource_create", args=[program.pk]),
        {
            "title": "Sneaky",
            "audience": "both",
            "attachments": [upload("invoice.pdf", b"<html><script>x</script></html>")],
        },
    )
    assert response.status_code == 200
    assert "does not contain what its name says" in response.content.decode()
    assert not ResourceAttachment.objects.exists()
    assert not (media_root / "private").exists() or not any((media_root / "private").rglob("*.*"))


def test_a_guide_takes_at_most_ten_files(program: Program, coordinator: User) -> None:
    resource = guide(program)
    checked = [attachments.attachment_check(upload(f"f{n}.pdf", PDF)) for n in range(11)]
    with pytest.raises(ProgramError, match="at most 10"):
        services.resource_update(
            resource=resource,
            by=coordinator,
            title=resource.title,
            audience=resource.audience,
            body="",
            links=[],
            publish=True,
            attachments=checked,
        )
    assert not ResourceAttachment.objects.exists()


def test_download_is_an_attachment_with_nosniff_and_a_safe_name(
    client: Client, program: Program, mentee: Participant
) -> None:
    resource = guide(program)
    file = attach(resource, 'Q3 "plan";\r\nX-Evil: 1.pdf')
    login(client, mentee)
    response = client.get(
        reverse("guides:attachment_download", args=[program.pk, resource.pk, file.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition
    assert "\n" not in disposition
    assert '"plan"' not in disposition
    assert "sandbox" in response["Content-Security-Policy"]


def test_safe_names_drop_folders_and_odd_characters() -> None:
    assert attachment_safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert attachment_safe_name("C:\\Users\\me\\Plan.PDF") == "Plan.pdf"
    assert attachment_safe_name('a"b;c\r\nd.pdf') == "a_b_cd.pdf"
    assert attachment_safe_name(".pdf") == "attachment.pdf"


def test_attachments_are_not_reachable_by_url(program: Program, client: Client) -> None:
    file = attach(guide(program))
    with pytest.raises(ValueError, match="no URL"):
        file.file.url  # noqa: B018
    assert client.get(f"/media/private/{file.file.name}").status_code == 404
    assert client.get(f"/private/{file.file.name}").status_code == 404


def test_a_missing_file_is_a_404_not_a_crash(
    client: Client, program: Program, coordinator: User
) -> None:
    resource = guide(program)
    file = attach(resource)
    Path(file.file.path).unlink()
    login(client, coordinator)
    response = client.get(
        reverse("guides:attachment_download", args=[program.pk, resource.pk, file.pk])
    )
    assert response.status_code == 404


def test_a_file_of_another_guide_is_not_served_through_this_one(
    client: Client, program: Program, mentee: Participant
) -> None:
    visible = guide(program)
    hidden = guide(program, audience=Audience.MENTORS)
    file = attach(hidden)
    login(client, mentee)
    response = client.get(
        reverse("guides:attachment_download", args=[program.pk, visible.pk, file.pk])
    )
    assert response.status_code == 404


# -- Starter guides ----------------------------------------------------------------------------


def test_a_new_program_starts_with_the_starter_guides(coordinator: User) -> None:
    program = program_create_service(created_by=coordinator, name="New", is_evergreen=True)
    titles = list(Resource.objects.filter(program=program).values_list("title", flat=True))
    assert titles == [str(g.title) for g in STARTER_GUIDES]
    assert titles == [
        "How to run a first meeting",
        "Setting goals that work",
        "Giving and receiving feedback",
        "Mentoring agreement template",
    ]
    assert all(r.is_published for r in Resource.objects.filter(program=program))


def test_adding_the_starter_guides_twice_adds_only_the_missing_ones(
    client: Client, program: Program, coordinator: User
) -> None:
    guide(program, title="Our own guide")
    login(client, coordinator)
    url = reverse("guides:resource_starter_add", args=[program.pk])
    assert (
        "Add starter guides"
        in client.get(reverse("guides:resource_list", args=[program.pk])).content.decode()
    )
    client.post(url)
    assert Resource.objects.filter(program=program).count() == 5
    Resource.objects.get(program=program, starter_key="giving-feedback").delete()
    assert services.resource_starter_set_add(program=program, by=coordinator) == 1
    assert services.resource_starter_set_add(program=program, by=coordinator) == 0
    response = client.post(url, follow=True)
    assert "already has every starter guide" in response.content.decode()
    assert Resource.objects.filter(program=program).count() == 5
    # Added after the program's own guides.
    assert Resource.objects.filter(program=program).first().title == "Our own guide"  # type: ignore[union-attr]


# -- Who opened what ---------------------------------------------------------------------------


def test_each_person_counts_once_and_coordinators_do_not_count(
    client: Client, program: Program, coordinator: User, mentee: Participant, mentor: Participant
) -> None:
    resource = guide(program)
    url = reverse("guides:resource_detail", args=[program.pk, resource.pk])
    for person in (mentee, mentee, mentor):
        login(client, person)
        client.get(url)
    login(client, coordinator)
    client.get(url)
    assert ResourceView.objects.filter(resource=resource).count() == 2
    page = client.get(reverse("guides:resource_list", args=[program.pk])).content.decode()
    assert "Opened by 2 people" in page
    assert "2 people have opened at least one guide." in page


def test_downloading_a_file_counts_as_opening_the_guide(
    client: Client, program: Program, mentee: Participant
) -> None:
    resource = guide(program)
    file = attach(resource)
    login(client, mentee)
    client.get(reverse("guides:attachment_download", args=[program.pk, resource.pk, file.pk]))
    assert ResourceView.objects.filter(resource=resource, user=mentee.user).count() == 1


def test_open_counts_only_show_to_coordinators(
    client: Client, program: Program, mentee: Participant
) -> None:
    guide(program)
    login(client, mentee)
    page = client.get(reverse("guides:resource_list", args=[program.pk])).content.decode()
    assert "Opened by" not in page


def test_the_list_costs_the_same_queries_for_many_guides(
    client: Client, program: Program, coordinator: User, django_assert_max_num_queries
) -> None:
    people = [participant_create(program=program) for _n in range(3)]
    for n in range(25):
        resource = guide(program, title=f"Guide {n}")
        for person in people:
            assert person.user is not None
            ResourceView.objects.create(
                resource=resource, user=person.user, viewed_at=timezone.now()
            )
    attach(Resource.objects.first())  # type: ignore[arg-type]
    login(client, coordinator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("guides:resource_list", args=[program.pk]))
    assert response.content.decode().count("Opened by 3 people") == 25


# -- The home page -----------------------------------------------------------------------------


def test_participants_see_their_guides_on_the_home_page(
    client: Client, program: Program, mentee: Participant, other_program: Program
) -> None:
    guide(program, title="Mentee guide", audience=Audience.MENTEES)
    guide(program, title="Mentor guide", audience=Audience.MENTORS)
    guide(program, title="Draft guide", published_at=None)
    guide(other_program, title="Other program's guide")
    login(client, mentee)
    page = client.get(reverse("home")).content.decode()
    assert "Guides for you" in page
    assert "Mentee guide" in page
    assert "Mentor guide" not in page
    assert "Draft guide" not in page
    assert "Other program&#x27;s guide" not in page
    assert "Other program's guide" not in page


def test_the_home_page_costs_the_same_with_many_programs_and_guides(
    client: Client, django_assert_num_queries
) -> None:
    person = user_create()

    def home_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("home"))
        return len(queries)

    program = program_create()
    participant_create(program=program, user=person)
    guide(program)
    few = home_queries()
    for _n in range(6):
        other = program_create()
        participant_create(program=other, user=person, role=Participant.Role.MENTOR)
        for _m in range(3):
            guide(other)
    assert home_queries() == few
