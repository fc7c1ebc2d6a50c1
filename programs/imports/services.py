"""Storing, checking and applying a participant import, inline or in the background.

Small files are checked and applied inside the request; larger ones through the tasks
in :mod:`programs.import_tasks`, queued with ``task_defer`` when the transaction
commits. The moves a second run could repeat are conditional UPDATEs (claims), so a
task delivered twice, or two clicks on "apply", do the work once.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.deferred import task_defer
from mentoring.models import User
from programs import import_tasks
from programs.imports.checking import CheckResult, rows_check
from programs.imports.parsing import MAX_FILE_BYTES, ParsedFile, csv_parse, decode_upload
from programs.imports.problems import file_problem
from programs.imports.selectors import enrolled_in, with_account_count
from programs.models import ParticipantImport, Program
from programs.services import ProgramError, participants_invite

# Files up to this many people are checked and applied inside the request (well under a
# second); larger ones run as Celery tasks while the page shows their progress.
INLINE_MAX_ROWS = 500


def _summary(result: CheckResult, *, with_account: int) -> dict[str, object]:
    return {
        "rows": result.rows,
        "mentors": result.mentors,
        "mentees": result.mentees,
        "with_account": with_account,
        "problem_count": result.problem_count,
        "sample": result.sample,
    }


def _check(
    participant_import: ParticipantImport, *, report_progress: bool
) -> tuple[ParsedFile, CheckResult]:
    parsed = csv_parse(participant_import.content)
    pk = participant_import.pk

    def progress(done: int) -> None:
        ParticipantImport.objects.filter(pk=pk).update(processed_rows=done)

    result = rows_check(
        parsed,
        enrolled=enrolled_in(participant_import.program),
        progress=progress if report_progress else None,
    )
    return parsed, result


@transaction.atomic
def participant_import_create(
    *,
    program: Program,
    by: User,
    file_name: str,
    data: bytes,
    size: int | None = None,
) -> ParticipantImport:
    """Store an uploaded file and check it: at once when small, in a task when large.

    ``data`` may be cut at MAX_FILE_BYTES + 1 bytes; ``size`` is the real size when known.
    Problems with the file itself are recorded on the import (status "invalid"), so the
    coordinator sees them on the same preview page as any other problem.
    """
    if program.state == Program.State.CLOSED:
        raise ProgramError(_("A closed program cannot take new participants."))
    name = re.split(r"[\\/]", file_name)[-1][:255] or "participants.csv"
    participant_import = ParticipantImport(
        program=program, created_by=by, file_name=name, status=ParticipantImport.Status.CHECKING
    )
    size = max(size or 0, len(data))
    if size > MAX_FILE_BYTES:
        return _invalid_at_once(
            participant_import,
            _(
                "The file is %(size)s MB; the limit is %(max)s MB. Remove unused columns or "
                "split it into several files."
            )
            % {"size": f"{size / 1024 / 1024:.1f}", "max": MAX_FILE_BYTES // 1024 // 1024},
        )
    decoded = decode_upload(data)
    participant_import.notices = decoded.notices
    if decoded.problem:
        return _invalid_at_once(participant_import, decoded.problem)
    parsed = csv_parse(decoded.text)
    participant_import.content = decoded.text
    participant_import.total_rows = len(parsed.rows)
    participant_import.save()
    if parsed.fatal or participant_import.total_rows <= INLINE_MAX_ROWS:
        return participant_import_check(participant_import=participant_import)
    import_id = participant_import.pk
    _enqueue_check(import_id)
    return participant_import


def _enqueue_check(import_id: int) -> None:
    task_defer(import_tasks.check_participant_import_task, import_id)


def _invalid_at_once(participant_import: ParticipantImport, message: str) -> ParticipantImport:
    participant_import.status = ParticipantImport.Status.INVALID
    participant_import.problems = [file_problem(message)]
    participant_import.summary = {"rows": 0, "problem_count": 1}
    participant_import.finished_at = timezone.now()
    participant_import.save()
    return participant_import


def participant_import_check(*, participant_import: ParticipantImport) -> ParticipantImport:
    """Check a stored file and record its problems; "ready" when there are none.

    Only an import still "checking" is checked, so a task delivered twice does no harm.
    """
    if participant_import.status != ParticipantImport.Status.CHECKING:
        return participant_import
    try:
        parsed, result = _check(
            participant_import, report_progress=participant_import.total_rows > INLINE_MAX_ROWS
        )
        clean = not result.problems
        fields: dict[str, Any] = {
            "status": ParticipantImport.Status.READY if clean else ParticipantImport.Status.INVALID,
            "problems": result.problems,
            "notices": list(dict.fromkeys([*participant_import.notices, *parsed.notices])),
            "summary": _summary(result, with_account=with_account_count(result.invitees)),
            "total_rows": result.rows,
            "processed_rows": result.rows,
            "finished_at": timezone.now(),
        }
        if not clean:
            # Nothing will ever be applied from this file: keep no copy of it (privacy).
            fields["content"] = ""
        ParticipantImport.objects.filter(
            pk=participant_import.pk, status=ParticipantImport.Status.CHECKING
        ).update(**fields)
    except Exception:
        _failed(participant_import.pk, from_status=ParticipantImport.Status.CHECKING)
        raise
    participant_import.refresh_from_db()
    return participant_import


def _failed(import_id: int, *, from_status: str) -> None:
    ParticipantImport.objects.filter(pk=import_id, status=from_status).update(
        status=ParticipantImport.Status.FAILED,
        problems=[
            file_problem(
                _(
                    "Something went wrong on our side while handling this file; nothing was "
                    "applied. Upload it again, and tell your site administrator if it happens "
                    "again."
                )
            )
        ],
        finished_at=timezone.now(),
    )


def participant_import_apply(
    *, participant_import: ParticipantImport, by: User
) -> ParticipantImport:
    """Enrol everyone in a clean file and send their invitations; do nothing the second time.

    The "ready" -> "applying" move is a conditional UPDATE, so of two clicks (or two
    coordinators) exactly one goes on; the other gets the import back as it stands.
    """
    claimed = ParticipantImport.objects.filter(
        pk=participant_import.pk, status=ParticipantImport.Status.READY
    ).update(status=ParticipantImport.Status.APPLYING, processed_rows=0)
    if not claimed:
        participant_import.refresh_from_db()
        if participant_import.status in (
            ParticipantImport.Status.APPLYING,
            ParticipantImport.Status.APPLIED,
        ):
            return participant_import
        raise ProgramError(_("Only a file without problems can be applied."))
    if participant_import.total_rows > INLINE_MAX_ROWS:
        import_id, by_id = participant_import.pk, by.pk
        _enqueue_apply(import_id, by_id)
        participant_import.refresh_from_db()
        return participant_import
    applied = participant_import_apply_claimed(import_id=participant_import.pk, by=by)
    return applied or participant_import


def _enqueue_apply(import_id: int, by_id: int) -> None:
    task_defer(import_tasks.apply_participant_import_task, import_id, by_id)


def participant_import_apply_claimed(
    *, import_id: int, by: User | None
) -> ParticipantImport | None:
    """The work of applying an import already moved to "applying"; safe to run twice.

    The file is checked again inside the transaction, against who is enrolled now:
    someone added since the preview makes the import "invalid" with that row listed,
    and nothing is written.
    """
    try:
        with transaction.atomic():
            participant_import = (
                ParticipantImport.objects.select_for_update(of=("self",))
                .select_related("program")
                .filter(pk=import_id)
                .first()
            )
            if (
                participant_import is None
                or participant_import.status != ParticipantImport.Status.APPLYING
            ):
                return participant_import
            by = by or participant_import.created_by
            _parsed, result = _check(participant_import, report_progress=False)
            now = timezone.now()
            if result.problems or by is None:
                participant_import.status = ParticipantImport.Status.INVALID
                participant_import.problems = result.problems or [
                    file_problem(_("The person who applied this file no longer has an account."))
                ]
                participant_import.summary = {
                    **participant_import.summary,
                    "problem_count": result.problem_count or 1,
                }
                participant_import.content = ""
                participant_import.finished_at = now
                participant_import.save()
                return participant_import
            created = participants_invite(
                program=participant_import.program, invitees=result.invitees, by=by
            )
            participant_import.status = ParticipantImport.Status.APPLIED
            participant_import.applied_count = len(created)
            participant_import.processed_rows = participant_import.total_rows
            # Applied: the participants hold what is needed now; keep no copy of the file.
            participant_import.content = ""
            participant_import.finished_at = now
            participant_import.save()
            return participant_import
    except ProgramError as error:
        # Refused by the rules (the program closed meanwhile); nothing was written.
        ParticipantImport.objects.filter(
            pk=import_id, status=ParticipantImport.Status.APPLYING
        ).update(
            status=ParticipantImport.Status.INVALID,
            problems=[file_problem(str(error))],
            content="",
            finished_at=timezone.now(),
        )
    except IntegrityError:
        # Someone in the file was enrolled by another path between our check and our
        # insert. Nothing was written; check again so the page lists who.
        ParticipantImport.objects.filter(
            pk=import_id, status=ParticipantImport.Status.APPLYING
        ).update(status=ParticipantImport.Status.CHECKING)
        again = ParticipantImport.objects.select_related("program").get(pk=import_id)
        return participant_import_check(participant_import=again)
    except Exception:
        _failed(import_id, from_status=ParticipantImport.Status.APPLYING)
        raise
    return ParticipantImport.objects.filter(pk=import_id).first()
