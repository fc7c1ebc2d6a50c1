"""Program resources: the guides list, reading one, and the coordinators' editor.

Coordinators manage their program's guides (drafts included) and see how many
people opened each; participants read the published guides meant for their role or
for everyone; HR viewers and site admins read published guides; anyone else gets 404.
Attachments are downloaded through attachment_download only, which checks the same.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from guides import selectors, services
from guides.access import access_resource
from guides.forms import ResourceForm
from guides.models import Resource, ResourceAttachment
from guides.starter import STARTER_GUIDES
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import Need, ProgramAccess, access_program
from programs.markdown import markdown_excerpt, markdown_render
from programs.models import Program
from programs.services import ProgramError


def _list_context(access: ProgramAccess) -> dict[str, Any]:
    program = access.program
    guides = list(selectors.resource_list(access=access))
    rows = [
        {"resource": resource, "excerpt": markdown_excerpt(resource.body, length=120)}
        for resource in guides
    ]
    context: dict[str, Any] = {
        "access": access,
        "program": program,
        "rows": rows,
        "can_edit": access.is_coordinator and program.state != Program.State.CLOSED,
    }
    if access.is_coordinator:
        have = {resource.starter_key for resource in guides}
        context["starter_missing"] = [guide for guide in STARTER_GUIDES if guide.key not in have]
        context["readers"] = selectors.resource_views_total(program=program)["people"]
    return context


@login_required
@require_safe
def resource_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id)
    return render(request, "programs/resource_list.html", _list_context(access))


@login_required
@require_http_methods(["GET", "POST"])
def resource_create(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    program = access.program
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(
                program=program,
                by=user,
                attachments=form.cleaned_data["attachments"],
                **form.resource_fields(),
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                (
                    _("“%(title)s” is published.")
                    if resource.is_published
                    else _("“%(title)s” is saved as a draft; only coordinators see it.")
                )
                % {"title": resource.title},
            )
            return redirect("guides:resource_detail", program.pk, resource.pk)
    context = {
        "program": program,
        "form": form,
        "resource": None,
        "is_closed": program.state == Program.State.CLOSED,
    }
    return render(request, "programs/resource_form.html", context)


@login_required
@require_safe
def resource_detail(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int
) -> HttpResponse:
    user = request.user
    found = access_resource(user, program_id, resource_id)
    access, resource = found.access, found.resource
    if access.participant is not None and not access.is_coordinator:
        services.resource_view_record(resource=resource, user=user)
    context = {
        "access": access,
        "program": access.program,
        "resource": resource,
        "body": markdown_render(resource.body),
        "attachments": list(resource.attachments.all()),
        "can_edit": access.is_coordinator and access.program.state != Program.State.CLOSED,
    }
    return render(request, "programs/resource_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int
) -> HttpResponse:
    user = request.user
    found = access_resource(user, program_id, resource_id, need=Need.MANAGE)
    program, resource = found.access.program, found.resource
    form = ResourceForm(request.POST or None, request.FILES or None, resource=resource)
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(
                resource=resource,
                by=user,
                attachments=form.cleaned_data["attachments"],
                **form.resource_fields(),
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": resource.title})
            return redirect("guides:resource_detail", program.pk, resource.pk)
    context = {
        "program": program,
        "form": form,
        "resource": resource,
        "attachments": list(resource.attachments.all()),
        "is_closed": program.state == Program.State.CLOSED,
    }
    return render(request, "programs/resource_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resource_delete(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int
) -> HttpResponse:
    """GET asks for confirmation (its attachments go too); POST deletes."""
    user = request.user
    found = access_resource(user, program_id, resource_id, need=Need.MANAGE)
    program, resource = found.access.program, found.resource
    if request.method == "POST":
        try:
            services.resource_delete(resource=resource, by=user)
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": resource.title})
        return redirect("guides:resource_list", program.pk)
    context = {
        "program": program,
        "resource": resource,
        "attachment_count": resource.attachments.count(),
    }
    return render(request, "programs/resource_delete.html", context)


@login_required
@require_POST
def resource_move(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int
) -> HttpResponse:
    user = request.user
    found = access_resource(user, program_id, resource_id, need=Need.MANAGE)
    resource = found.resource
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose whether to move the guide up or down."))
    else:
        try:
            moved = services.resource_move(
                resource=resource, offset=-1 if direction == "up" else 1, by=user
            )
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            if moved:
                message = (
                    _("Moved “%(title)s” up.")
                    if direction == "up"
                    else _("Moved “%(title)s” down.")
                )
                messages.success(request, message % {"title": resource.title})
    if request.htmx:
        context = {**_list_context(found.access), "is_htmx": True}
        return render(request, "programs/resource_list.html#resource_table", context)
    return redirect("guides:resource_list", found.access.program.pk)


@login_required
@require_POST
def resource_publish(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int
) -> HttpResponse:
    user = request.user
    found = access_resource(user, program_id, resource_id, need=Need.MANAGE)
    resource = found.resource
    publish = request.POST.get("action") != "unpublish"
    try:
        services.resource_publish(resource=resource, publish=publish, by=user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            (
                _("“%(title)s” is published.")
                if publish
                else _("“%(title)s” is back to draft; only coordinators see it.")
            )
            % {"title": resource.title},
        )
    if request.POST.get("next") == "detail":
        return redirect("guides:resource_detail", found.access.program.pk, resource.pk)
    return redirect("guides:resource_list", found.access.program.pk)


@login_required
@require_POST
def resource_starter_add(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    try:
        added = services.resource_starter_set_add(program=access.program, by=user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        if added:
            messages.success(
                request,
                ngettext(
                    "%(count)s starter guide is added and published.",
                    "%(count)s starter guides are added and published.",
                    added,
                )
                % {"count": added},
            )
        else:
            messages.info(request, _("This program already has every starter guide."))
    return redirect("guides:resource_list", access.program.pk)


def _attachment(resource: Resource, attachment_id: int) -> ResourceAttachment:
    attachment = resource.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    attachment.resource = resource
    return attachment


@login_required
@require_safe
def attachment_download(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int, attachment_id: int
) -> FileResponse:
    """The file, as a download only, to people who may read its guide."""
    user = request.user
    found = access_resource(user, program_id, resource_id)
    attachment = _attachment(found.resource, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if found.access.participant is not None and not found.access.is_coordinator:
        services.resource_view_record(resource=found.resource, user=user)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway, it runs in a sandbox with nothing allowed.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_POST
def attachment_delete(
    request: AuthenticatedHttpRequest, program_id: int, resource_id: int, attachment_id: int
) -> HttpResponse:
    user = request.user
    found = access_resource(user, program_id, resource_id, need=Need.MANAGE)
    attachment = _attachment(found.resource, attachment_id)
    try:
        services.attachment_delete(attachment=attachment, by=user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.name})
    return redirect("guides:resource_edit", found.access.program.pk, found.resource.pk)
