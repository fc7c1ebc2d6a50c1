"""Program resources: guides coordinators publish for mentors, mentees or everyone.

Access, forms, writes (``resource_*`` services) and reads (``resource_list_*``
selectors) of one area, named by topic. A guide's text is Markdown, rendered through
programs.markdown; its attachments live outside the web root (programs.models
.private_storage) and reach people only through a view that checks access.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.audience import AUDIENCES_BY_ROLE, EVERYONE_CHOICES, Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.access import ProgramAccess, resource_audience_filter
from programs.models import (
    Participant,
    Program,
    Resource,
    ResourceAttachment,
    ResourceView,
)
from programs.services import ProgramError

# Attachments one guide may carry, and links.
ATTACHMENTS_MAX = 10
LINKS_MAX = 20


# ------------------------------------------------------------------------------
# Attachments: what may be uploaded
# ------------------------------------------------------------------------------

# Extension -> (kind read from the file's first bytes, type sent on download).
ATTACHMENT_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "application/pdf"),
    ".docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".png": ("png", "image/png"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".txt": ("text", "text/plain"),
    ".md": ("text", "text/markdown"),
}
# Office files are ZIP archives; the part that only each kind has tells them apart.
OFFICE_MARKERS = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
    "xlsx": "xl/workbook.xml",
}
# A text file is read whole to check it; larger ones are refused as text.
TEXT_SNIFF_LIMIT = 2 * 1024 * 1024


def attachment_allowed_extensions() -> list[str]:
    return sorted(ATTACHMENT_TYPES)


def _sniff(stream: IO[bytes]) -> str | None:
    """The kind of file these bytes are, judged by content alone, or None."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" not in names:
            return None
        for kind, marker in OFFICE_MARKERS.items():
            if marker in names:
                return kind
        return None
    data = stream.read(TEXT_SNIFF_LIMIT + 1)
    stream.seek(0)
    if len(data) > TEXT_SNIFF_LIMIT:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text):
        return None
    return "text"


def attachment_safe_name(name: str) -> str:
    """The name to show and to offer on download: no folders, no control characters,
    nothing a browser or a shell would treat specially; the extension kept."""
    name = os.path.basename(name.replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*;,%]+', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" ").rstrip(" .")
    if name.startswith("."):
        # ".pdf" would be a hidden file with no extension; give it a stem instead.
        name = "attachment" + name
    stem, extension = os.path.splitext(name)
    stem = stem[: 150 - len(extension)] or "attachment"
    return f"{stem}{extension.lower()}"


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    name: str
    content_type: str


def attachment_check(upload: UploadedFile) -> CheckedUpload:
    """Check one uploaded file: its size, its extension and what its bytes really are.

    Raises ValidationError with a message for the person uploading.
    """
    name = attachment_safe_name(upload.name or "")
    limit = settings.RESOURCE_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is too large: files may be up to %(limit)s.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ATTACHMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” is not a type we accept. Upload one of: %(types)s.")
            % {"name": name, "types": ", ".join(attachment_allowed_extensions())},
            code="extension",
        )
    expected_kind, content_type = ATTACHMENT_TYPES[extension]
    if _sniff(cast(IO[bytes], upload.file)) != expected_kind:
        raise ValidationError(
            _(
                "“%(name)s” does not contain what its name says (%(extension)s). Save it "
                "again in that format and upload it once more."
            )
            % {"name": name, "extension": extension},
            code="content",
        )
    return CheckedUpload(upload, name, content_type)


# ------------------------------------------------------------------------------
# Forms
# ------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by attachment_check."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[CheckedUpload]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        checked, errors = [], []
        for upload in files:
            super().clean(upload, initial)
            try:
                checked.append(attachment_check(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def parse_links(text: str) -> list[Link]:
    """One link a line: "Label | https://..." or just the address."""
    validate = URLValidator(schemes=["http", "https"])
    links, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        label, _sep, url = line.rpartition("|") if "|" in line else ("", "", line)
        label, url = label.strip(), url.strip()
        try:
            validate(url)
        except ValidationError:
            errors.append(
                _("Line %(number)s: “%(url)s” is not a web address starting with https://.")
                % {"number": number, "url": url}
            )
            continue
        links.append(Link(label=label[:200] or url, url=url))
    if len(links) > LINKS_MAX:
        errors.append(_("Add at most %(max)s links.") % {"max": LINKS_MAX})
    if errors:
        raise ValidationError(errors)
    return links


def links_text(links: Iterable[dict[str, str]]) -> str:
    return "\n".join(
        link["url"] if link["label"] == link["url"] else f"{link['label']} | {link['url']}"
        for link in links
    )


class ResourceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    audience = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=EVERYONE_CHOICES,
        initial=Audience.BOTH,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Markdown: **bold**, *italic*, # headings, - lists, [link text](https://…). "
            "HTML is shown as plain text."
        ),
    )
    links = forms.CharField(
        label=gettext_lazy("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One a line: a label, a bar, then the address, e.g. "
            "“Company policy | https://intranet.example.com/policy”."
        ),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Attach files"),
        required=False,
    )
    is_published = forms.BooleanField(
        label=gettext_lazy("Published: the people it is for can read it"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Leave unticked to keep it as a draft only coordinators see."),
    )

    def __init__(self, *args: Any, resource: Resource | None = None, **kwargs: Any) -> None:
        if resource is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": resource.title,
                    "audience": resource.audience,
                    "body": resource.body,
                    "links": links_text(resource.links),
                    "is_published": resource.is_published,
                },
            )
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.RESOURCE_ATTACHMENT_MAX_BYTES)
        self.fields["attachments"].help_text = _(
            "Up to %(limit)s each: %(types)s. Files are only shown to the people the guide is for."
        ) % {"limit": limit, "types": ", ".join(attachment_allowed_extensions())}
        self.fields["attachments"].widget.attrs["accept"] = ",".join(
            attachment_allowed_extensions()
        )

    def clean_links(self) -> list[Link]:
        return parse_links(self.cleaned_data.get("links") or "")

    def resource_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "audience": data["audience"],
            "body": data["body"],
            "links": data["links"],
            "publish": data["is_published"],
        }


# ------------------------------------------------------------------------------
# Writes
# ------------------------------------------------------------------------------


def _check_open(program: Program) -> None:
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program can no longer be changed."))


def _attachments_add(
    resource: Resource, uploads: Sequence[CheckedUpload], *, by: User | None, saved: list[str]
) -> list[ResourceAttachment]:
    existing = resource.attachments.count()
    if existing + len(uploads) > ATTACHMENTS_MAX:
        raise ProgramError(
            _("A guide may have at most %(max)s attachments.") % {"max": ATTACHMENTS_MAX}
        )
    added = []
    for checked in uploads:
        attachment = ResourceAttachment(
            resource=resource,
            name=checked.name,
            content_type=checked.content_type,
            size=checked.upload.size or 0,
            uploaded_by=by,
        )
        checked.upload.seek(0)
        attachment.file.save(checked.name, checked.upload, save=False)
        saved.append(attachment.file.name or "")
        attachment.save()
        added.append(attachment)
    return added


def _files_delete(names: Iterable[str]) -> None:
    storage = ResourceAttachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


@contextmanager
def _files_removed_on_error() -> Iterator[list[str]]:
    """Files saved inside the block are deleted again if the block fails (Django has
    on_commit but no on_rollback hook)."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        _files_delete(saved)
        raise


def _clean_link_list(links: Sequence[Link]) -> list[dict[str, str]]:
    return [{"label": link.label, "url": link.url} for link in links]


def resource_create(
    *,
    program: Program,
    by: User,
    title: str,
    audience: str = Audience.BOTH,
    body: str = "",
    links: Sequence[Link] = (),
    publish: bool = True,
    attachments: Sequence[CheckedUpload] = (),
) -> Resource:
    _check_open(program)
    if audience not in Audience.values:
        raise ProgramError(_("Choose who the guide is for."))
    with _files_removed_on_error() as saved, transaction.atomic():
        last = Resource.objects.filter(program=program).aggregate(last=Max("position"))["last"]
        resource = Resource.objects.create(
            program=program,
            title=title.strip(),
            audience=audience,
            body=body,
            links=_clean_link_list(links),
            position=(last or 0) + 1,
            published_at=timezone.now() if publish else None,
            created_by=by,
        )
        _attachments_add(resource, attachments, by=by, saved=saved)
        audit_record(
            action=Action.RESOURCE_CHANGE,
            actor=by,
            target=resource,
            detail={"change": "create", "attachments": len(attachments)},
        )
    return resource


def resource_update(
    *,
    resource: Resource,
    by: User,
    title: str,
    audience: str,
    body: str,
    links: Sequence[Link],
    publish: bool,
    attachments: Sequence[CheckedUpload] = (),
) -> Resource:
    _check_open(resource.program)
    if audience not in Audience.values:
        raise ProgramError(_("Choose who the guide is for."))
    with _files_removed_on_error() as saved, transaction.atomic():
        resource.title = title.strip()
        resource.audience = audience
        resource.body = body
        resource.links = _clean_link_list(links)
        if publish and resource.published_at is None:
            resource.published_at = timezone.now()
        elif not publish:
            resource.published_at = None
        resource.save(
            update_fields=["title", "audience", "body", "links", "published_at", "updated_at"]
        )
        _attachments_add(resource, attachments, by=by, saved=saved)
        audit_record(
            action=Action.RESOURCE_CHANGE,
            actor=by,
            target=resource,
            detail={"change": "update", "attachments_added": len(attachments)},
        )
    return resource


def resource_publish(*, resource: Resource, publish: bool, by: User) -> Resource:
    _check_open(resource.program)
    if publish == resource.is_published:
        return resource
    resource.published_at = timezone.now() if publish else None
    resource.save(update_fields=["published_at", "updated_at"])
    audit_record(
        action=Action.RESOURCE_CHANGE,
        actor=by,
        target=resource,
        detail={"change": "publish" if publish else "unpublish"},
    )
    return resource


def _files_delete_after_commit(names: list[str]) -> None:
    transaction.on_commit(lambda: _files_delete(names))


@transaction.atomic
def resource_delete(*, resource: Resource, by: User) -> None:
    _check_open(resource.program)
    names = list(resource.attachments.values_list("file", flat=True))
    audit_record(
        action=Action.RESOURCE_CHANGE,
        actor=by,
        target=resource,
        detail={"change": "delete", "program_id": resource.program_id, "attachments": len(names)},
    )
    resource.delete()
    _files_delete_after_commit(names)


@transaction.atomic
def attachment_delete(*, attachment: ResourceAttachment, by: User) -> None:
    _check_open(attachment.resource.program)
    name = attachment.file.name or ""
    audit_record(
        action=Action.RESOURCE_CHANGE,
        actor=by,
        target=attachment.resource,
        detail={"change": "attachment_delete", "attachment_id": attachment.pk},
    )
    attachment.delete()
    _files_delete_after_commit([name])


@transaction.atomic
def resource_move(*, resource: Resource, offset: int, by: User) -> bool:
    """Move a guide up (offset -1) or down (+1); False when it is already at that end."""
    _check_open(resource.program)
    ids = list(
        Resource.objects.select_for_update()
        .filter(program_id=resource.program_id)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = ids.index(resource.pk)
    target = index + offset
    if not 0 <= target < len(ids):
        return False
    ids[index], ids[target] = ids[target], ids[index]
    rows = [Resource(pk=pk, position=position) for position, pk in enumerate(ids, start=1)]
    Resource.objects.bulk_update(rows, ["position"])
    audit_record(
        action=Action.RESOURCE_CHANGE,
        actor=by,
        target=resource,
        detail={"change": "move", "offset": offset},
    )
    return True


def resource_view_record(*, resource: Resource, user: User) -> None:
    """Remember that this person opened the guide (once; later visits change nothing)."""
    ResourceView.objects.bulk_create(
        [ResourceView(resource=resource, user=user, viewed_at=timezone.now())],
        ignore_conflicts=True,
    )


# ------------------------------------------------------------------------------
# The starter set
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StarterGuide:
    key: str
    title: Any
    audience: str
    body: Any


STARTER_GUIDES: tuple[StarterGuide, ...] = (
    StarterGuide(
        key="first-meeting",
        title=gettext_lazy("How to run a first meeting"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "The first meeting sets the tone for the months ahead. Plan about an hour, "
            "somewhere you will not be interrupted.\n\n"
            "## Before you meet\n\n"
            "- Read each other's profile in the program.\n"
            "- Think of two or three things you hope to get from the program.\n"
            "- Agree on a place or a video link, and send a calendar invitation.\n\n"
            "## During the meeting\n\n"
            "1. **Get to know each other** (15 minutes): your paths so far, what you enjoy "
            "in your work, what you find hard.\n"
            "2. **Talk about expectations** (20 minutes): what the mentee wants to work on, "
            "what the mentor can offer, and what is out of scope.\n"
            "3. **Agree how you will work** (15 minutes): how often you meet, how you keep "
            "in touch in between, and what stays confidential.\n"
            "4. **Set a first step** (10 minutes): one small thing each of you will do "
            "before the next meeting.\n\n"
            "## After the meeting\n\n"
            "Write down what you agreed and book the next meeting before you forget. "
            "The *mentoring agreement* template helps you record it."
        ),
    ),
    StarterGuide(
        key="setting-goals",
        title=gettext_lazy("Setting goals that work"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Good goals give your conversations direction. Aim for two or three goals for "
            "the whole program, not ten.\n\n"
            "## Make them specific\n\n"
            '"Get better at presenting" is a wish. "Present our team\'s results at the '
            'quarterly review in June, with one rehearsal beforehand" is a goal: you will '
            "know when it is done.\n\n"
            "## A simple check\n\n"
            "- **Specific**: what exactly will change?\n"
            "- **Measurable**: how will you notice progress?\n"
            "- **Achievable**: is it realistic in the time the program runs?\n"
            "- **Relevant**: does it matter for the mentee's work or career?\n"
            "- **Time-bound**: by when?\n\n"
            "## Review them\n\n"
            "Look at your goals every few meetings. Changing a goal is fine: it usually "
            "means you have learned something."
        ),
    ),
    StarterGuide(
        key="giving-feedback",
        title=gettext_lazy("Giving and receiving feedback"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Feedback is how mentoring turns conversations into growth. It works best when "
            "it is asked for, specific and kind.\n\n"
            "## Giving feedback\n\n"
            '- Describe what you saw or heard, not the person: "In the meeting you spoke '
            'over two colleagues", not "You are rude".\n'
            "- Say what effect it had, then ask what the other person thinks.\n"
            "- Offer one suggestion at a time, and leave the choice with them.\n\n"
            "## Receiving feedback\n\n"
            "- Listen to the end before you answer, and ask questions to understand.\n"
            "- Thank the person: giving honest feedback takes effort.\n"
            "- Decide afterwards what you will do with it.\n\n"
            "## Feedback on the mentoring itself\n\n"
            "Every few meetings, ask each other: what is working, and what should we "
            "change?"
        ),
    ),
    StarterGuide(
        key="agreement-template",
        title=gettext_lazy("Mentoring agreement template"),
        audience=Audience.BOTH,
        body=gettext_lazy(
            "Fill this in together at your first or second meeting and keep a copy each.\n\n"
            "## Our goals\n\n"
            "1. …\n"
            "2. …\n"
            "3. …\n\n"
            "## How we work together\n\n"
            "- **We meet**: every … weeks, for about … minutes, in person / by video.\n"
            "- **Between meetings we keep in touch by**: …\n"
            "- **If one of us cannot make a meeting**, we tell the other at least … in "
            "advance and suggest a new time.\n\n"
            "## Confidentiality\n\n"
            "What we discuss stays between us unless we both agree otherwise, or someone's "
            "safety is at risk.\n\n"
            "## Reviewing and ending\n\n"
            "We review this agreement after three months. Either of us may end the "
            "mentoring relationship at any time, after talking it through, and tell the "
            "program coordinator."
        ),
    ),
)


@transaction.atomic
def resource_starter_set_add(*, program: Program, by: User | None) -> int:
    """Add the starter guides a program does not have yet, published, after its own
    guides. Returns how many were added (0 when all are there already)."""
    _check_open(program)
    have = set(
        Resource.objects.filter(program=program)
        .exclude(starter_key="")
        .values_list("starter_key", flat=True)
    )
    missing = [guide for guide in STARTER_GUIDES if guide.key not in have]
    if not missing:
        return 0
    last = Resource.objects.filter(program=program).aggregate(last=Max("position"))["last"] or 0
    now = timezone.now()
    Resource.objects.bulk_create(
        [
            Resource(
                program=program,
                title=str(guide.title),
                audience=guide.audience,
                body=str(guide.body),
                position=last + number,
                published_at=now,
                starter_key=guide.key,
                created_by=by,
            )
            for number, guide in enumerate(missing, start=1)
        ]
    )
    return len(missing)


# ------------------------------------------------------------------------------
# Reads
# ------------------------------------------------------------------------------


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    subquery = (
        queryset.filter(resource=OuterRef("pk"))
        .order_by()
        .values("resource")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def resource_list(*, access: ProgramAccess) -> QuerySet[Resource]:
    """The guides this person may open, in the coordinators' order.

    Each row carries attachment_count; for coordinators also view_count (how many
    different people opened it).
    """
    resources = (
        Resource.objects.filter(program=access.program)
        .filter(resource_audience_filter(access))
        .annotate(attachment_count=_count_of(ResourceAttachment.objects.all()))
        .order_by("position", "id")
    )
    if access.is_coordinator:
        resources = resources.annotate(view_count=_count_of(ResourceView.objects.all()))
    return resources


def resource_home_list(*, participations: Sequence[Participant], limit: int = 5) -> list[Resource]:
    """Published guides meant for this person in any of their programs, newest first
    (the home page's card). One query, whatever the number of programs."""
    visible = Q(pk__in=[])
    for participant in participations:
        if participant.program.state in (Program.State.DRAFT,):
            continue
        visible |= Q(
            program_id=participant.program_id,
            audience__in=AUDIENCES_BY_ROLE[participant.role],
        )
    return list(
        Resource.objects.filter(visible, published_at__isnull=False)
        .select_related("program")
        .order_by("-published_at", "position", "id")[:limit]
    )


def resource_views_total(*, program: Program) -> dict[str, int]:
    """How many different people opened at least one of the program's guides."""
    return ResourceView.objects.filter(resource__program=program).aggregate(
        people=Count("user", distinct=True)
    )
