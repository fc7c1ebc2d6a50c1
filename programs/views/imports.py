"""The CSV import of participants: upload a file, preview every problem, apply it.

For the program's coordinators only: HR viewers and participants get 403, anyone
else (a coordinator of another program too) 404. An import is looked up inside the
program of the URL, so program A's import under program B's address is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from mentoring.csv_export import csv_download
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs import imports
from programs.access import Need, access_program
from programs.models import ParticipantImport, Program
from programs.services import ProgramError

PROBLEMS_PER_PAGE = 100
RECENT_IMPORTS = 10

Status = ParticipantImport.Status
RUNNING = frozenset({Status.CHECKING, Status.APPLYING})


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        # An empty file reaches the importer, which says so on the preview page.
        allow_empty_file=True,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,text/csv,text/plain,text/tab-separated-values"}
        ),
    )


def _recent_imports(program: Program) -> list[ParticipantImport]:
    return list(
        ParticipantImport.objects.filter(program=program)
        .defer("content", "problems", "notices", "summary")
        .select_related("created_by")[:RECENT_IMPORTS]
    )


def _upload_context(program: Program, form: ImportUploadForm) -> dict[str, Any]:
    return {
        "program": program,
        "form": form,
        "max_rows": imports.MAX_ROWS,
        "max_megabytes": imports.MAX_FILE_BYTES // 1024 // 1024,
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                participant_import = imports.participant_import_create(
                    program=program,
                    by=request.user,
                    file_name=upload.name or "",
                    # Never read more than the limit (plus one byte to know it was passed).
                    data=upload.read(imports.MAX_FILE_BYTES + 1),
                    size=upload.size,
                )
            except ProgramError as error:
                form.add_error(None, str(error))
            else:
                return redirect(
                    "programs:import_detail", program_id=program.pk, import_id=participant_import.pk
                )
    context = _upload_context(program, form)
    context["recent_imports"] = _recent_imports(program)
    return render(request, "programs/import_upload.html", context)


def _problems_download(
    request: HttpRequest, program: Program, participant_import: ParticipantImport
) -> HttpResponse:
    stem = participant_import.file_name.rsplit(".", 1)[0] or "import"
    response, _writer = csv_download(
        request,
        filename=f"{_ascii(stem)}-problems.csv",
        export="import_problems",
        target=participant_import,
        detail={"program_id": program.pk},
    )
    response.write(imports.problems_csv(participant_import.problems))
    return response


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text)[:80]


@login_required
@require_safe
def import_detail(
    request: AuthenticatedHttpRequest, program_id: int, import_id: int
) -> HttpResponse:
    """The preview: progress while the file is worked on, then its problems or its go button.

    htmx polls this page while the import runs and gets only the progress partial; once
    it has finished, the poll asks the browser to reload the page, which shows the results.
    """
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    participant_import = get_object_or_404(
        # The file itself is never shown; it can be 5 MB, and this page is polled.
        ParticipantImport.objects.defer("content").select_related("created_by"),
        pk=import_id,
        program=program,
    )
    running = participant_import.status in RUNNING
    if request.GET.get("download") == "problems" and not running:
        return _problems_download(request, program, participant_import)
    if request.htmx:
        if not running:
            return HttpResponseClientRefresh()
        return render(
            request,
            "programs/import_detail.html#progress",
            {"program": program, "participant_import": participant_import},
        )
    summary = participant_import.summary or {}
    problem_count = int(summary.get("problem_count") or len(participant_import.problems))
    problems_page = Paginator(participant_import.problems, PROBLEMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "program": program,
        "participant_import": participant_import,
        "summary": summary,
        "running": running,
        "problem_count": problem_count,
        "problems_capped": problem_count > len(participant_import.problems),
        "problems_page": problems_page,
        "query": query,
        "upload_form": ImportUploadForm(),
        "max_rows": imports.MAX_ROWS,
        "max_megabytes": imports.MAX_FILE_BYTES // 1024 // 1024,
    }
    return render(request, "programs/import_detail.html", context)


@login_required
@require_POST
def import_apply(
    request: AuthenticatedHttpRequest, program_id: int, import_id: int
) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    participant_import = get_object_or_404(
        ParticipantImport.objects.select_related("program"), pk=import_id, program=program
    )
    # A second click finds the import applying or applied: it only shows the page again.
    was_ready = participant_import.status == Status.READY
    try:
        participant_import = imports.participant_import_apply(
            participant_import=participant_import, by=request.user
        )
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        if was_ready:
            _applied_message(request, participant_import)
    return redirect(
        "programs:import_detail", program_id=program.pk, import_id=participant_import.pk
    )


def _applied_message(request: HttpRequest, participant_import: ParticipantImport) -> None:
    if participant_import.status == Status.APPLIED:
        count = participant_import.applied_count
        messages.success(
            request,
            ngettext(
                "%(count)d person was enrolled; their invitation is on its way.",
                "%(count)d people were enrolled; their invitations are on their way.",
                count,
            )
            % {"count": count},
        )
    elif participant_import.status == Status.INVALID:
        messages.error(
            request,
            _(
                "Nothing was applied: the file no longer checks out (see the problems below). "
                "Upload a corrected file."
            ),
        )
