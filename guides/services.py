"""Writes of the guides: create, change, publish, order and delete them, their
attachments, and who opened them.

Attachments are saved to private storage (guides.storage) and removed again when the
transaction that saved them fails, or after the one deleting them commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guides.attachments import CheckedUpload
from guides.forms import Link
from guides.models import Resource, ResourceAttachment, ResourceView
from guides.starter import STARTER_GUIDES
from mentoring.audience import Audience
from mentoring.audit import Action, audit_record
from mentoring.models import User
from programs.models import Program
from programs.services import ProgramError

# Attachments one guide may carry.
ATTACHMENTS_MAX = 10


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
