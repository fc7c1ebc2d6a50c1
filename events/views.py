"""Program events: the list, one event with its answers, the coordinators' editor,
cancelling, attendance and the "Add to calendar" file.

Coordinators manage their program's events and see who answered; participants see
the events for their role or everyone and answer them; HR viewers and site admins
see the events and head counts, never who is going; anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events import selectors, services
from events.access import RESPONSES, EventAccess, access_event, event_rsvp_refusal
from events.forms import AttendanceForm, EventForm, RsvpForm
from events.ics import event_download
from events.models import EventRsvp
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import User
from programs.access import Need, access_program
from programs.markdown import markdown_render
from programs.models import Program
from programs.services import ProgramError

RSVP_MESSAGES: dict[str, Any] = {
    EventRsvp.Status.GOING: gettext_lazy(
        "You're going to “%(title)s”. The invitation is on its way."
    ),
    EventRsvp.Status.MAYBE: gettext_lazy("You answered maybe for “%(title)s”."),
    EventRsvp.Status.NOT_GOING: gettext_lazy("You're not going to “%(title)s”."),
}


@login_required
@require_safe
def event_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id)
    past = request.GET.get("when") == "past"
    context = {
        "access": access,
        "program": access.program,
        "events": list(selectors.event_list(access=access, user=user, past=past)),
        "past": past,
        "can_edit": access.is_coordinator and access.program.state != Program.State.CLOSED,
        # Head counts are exact for the program's own people; HR sees small ones hidden.
        "exact_counts": access.is_coordinator or access.participant is not None,
        "min_group": access.program.min_group_size,
        "viewer_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "programs/event_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(user, program_id, need=Need.MANAGE)
    program = access.program
    form = EventForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(program=program, by=user, **form.event_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("“%(title)s” is on the program's calendar; the people it is for can answer.")
                % {"title": event.title},
            )
            return redirect("events:event_detail", program.pk, event.pk)
    context = {
        "program": program,
        "form": form,
        "event": None,
        "is_closed": program.state == Program.State.CLOSED,
    }
    return render(request, "programs/event_form.html", context)


def _rsvp_context(found: EventAccess, user: User) -> dict[str, Any]:
    """The answer box: the person's own answer, their place on the waiting list,
    and whether (or why not) they may answer."""
    event, participant = found.event, found.access.participant
    rsvp = selectors.event_rsvp_get(event=event, user=user) if participant is not None else None
    current = rsvp.status if rsvp is not None else ""
    if current == EventRsvp.Status.WAITING:
        current = EventRsvp.Status.GOING
    return {
        "rsvp": rsvp,
        "position": selectors.waiting_position(rsvp) if rsvp is not None else None,
        "rsvp_form": RsvpForm(initial={"response": current}),
        "rsvp_current": current,
        "rsvp_refusal": event_rsvp_refusal(event=event, participant=participant)
        if participant is not None
        else "",
        "responses": [(status.value, status.label) for status in RESPONSES],
    }


def _rsvp_rows(rsvps: list[EventRsvp]) -> list[dict[str, Any]]:
    """The answers with each waiting person's place in the queue (the list is in order)."""
    rows, position = [], 0
    for rsvp in rsvps:
        if rsvp.status == EventRsvp.Status.WAITING:
            position += 1
        waiting = rsvp.status == EventRsvp.Status.WAITING
        rows.append({"rsvp": rsvp, "position": position if waiting else None})
    return rows


def _detail_context(found: EventAccess, user: User) -> dict[str, Any]:
    access, event = found.access, found.event
    counts = selectors.event_counts(event=event)
    context: dict[str, Any] = {
        "access": access,
        "program": access.program,
        "event": event,
        "description": markdown_render(event.description),
        "counts": counts,
        "places_left": counts.free(event.capacity),
        "has_started": event.starts_at <= timezone.now(),
        "has_ended": event.ends_at < timezone.now(),
        "viewer_zone": timezone.get_current_timezone_name(),
        "exact_counts": access.is_coordinator or access.participant is not None,
        "min_group": access.program.min_group_size,
        "can_edit": access.is_coordinator
        and access.program.state != Program.State.CLOSED
        and not event.is_cancelled,
        "rsvps": _rsvp_rows(selectors.event_rsvp_list(event=event))
        if access.is_coordinator
        else [],
    }
    if access.participant is not None:
        context.update(_rsvp_context(found, user))
    return context


@login_required
@require_safe
def event_detail(request: AuthenticatedHttpRequest, program_id: int, event_id: int) -> HttpResponse:
    user = request.user
    found = access_event(user, program_id, event_id)
    return render(request, "programs/event_detail.html", _detail_context(found, user))


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedHttpRequest, program_id: int, event_id: int) -> HttpResponse:
    user = request.user
    found = access_event(user, program_id, event_id, need=Need.MANAGE)
    program, event = found.access.program, found.event
    form = EventForm(request.POST or None, program=program, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(event=event, by=user, **form.event_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("“%(title)s” is saved.") % {"title": event.title})
            return redirect("events:event_detail", program.pk, event.pk)
    context = {
        "program": program,
        "form": form,
        "event": event,
        "is_closed": program.state == Program.State.CLOSED or event.is_cancelled,
    }
    return render(request, "programs/event_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: AuthenticatedHttpRequest, program_id: int, event_id: int) -> HttpResponse:
    """GET asks for confirmation; POST cancels and tells everyone going or waiting."""
    user = request.user
    found = access_event(user, program_id, event_id, need=Need.MANAGE)
    program, event = found.access.program, found.event
    if request.method == "POST":
        try:
            services.event_cancel(event=event, by=user)
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("“%(title)s” is cancelled; everyone going or waiting is told.")
                % {"title": event.title},
            )
        return redirect("events:event_detail", program.pk, event.pk)
    context = {"program": program, "event": event, "counts": selectors.event_counts(event=event)}
    return render(request, "programs/event_cancel.html", context)


@login_required
@require_POST
def event_rsvp(request: AuthenticatedHttpRequest, program_id: int, event_id: int) -> HttpResponse:
    user = request.user
    found = access_event(user, program_id, event_id)
    participant = found.access.participant
    if participant is None:
        # Coordinators and HR see the event but do not answer it.
        raise PermissionDenied
    event = found.event
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose going, maybe or not going."))
    else:
        try:
            rsvp = services.event_rsvp_set(
                event=event, participant=participant, response=form.cleaned_data["response"]
            )
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            if rsvp.status == EventRsvp.Status.WAITING:
                messages.info(
                    request,
                    _(
                        "“%(title)s” is full, so you're on the waiting list at number "
                        "%(position)s. We'll email you if a place frees up."
                    )
                    % {"title": event.title, "position": selectors.waiting_position(rsvp)},
                )
            else:
                messages.success(request, str(RSVP_MESSAGES[rsvp.status]) % {"title": event.title})
    if request.htmx:
        context = {**_detail_context(found, user), "is_htmx": True}
        return render(request, "programs/event_detail.html#rsvp", context)
    return redirect("events:event_detail", found.access.program.pk, event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def event_attendance(
    request: AuthenticatedHttpRequest, program_id: int, event_id: int
) -> HttpResponse:
    user = request.user
    found = access_event(user, program_id, event_id, need=Need.MANAGE)
    program, event = found.access.program, found.event
    rsvps = selectors.event_rsvp_list(event=event)
    form = AttendanceForm(request.POST or None, rsvps=rsvps)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.event_attendance_set(
                event=event, attended_rsvp_ids=form.attended_ids(), by=user
            )
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance is saved: %(count)s person attended.",
                    "Attendance is saved: %(count)s people attended.",
                    count,
                )
                % {"count": count},
            )
            return redirect("events:event_detail", program.pk, event.pk)
    attended = {str(pk) for pk in form["attended"].value() or []}
    context = {
        "program": program,
        "event": event,
        "form": form,
        "rows": [{"rsvp": rsvp, "checked": str(rsvp.pk) in attended} for rsvp in rsvps],
        "has_started": event.starts_at <= timezone.now(),
    }
    return render(request, "programs/event_attendance.html", context)


@login_required
@require_safe
def event_ics(request: AuthenticatedHttpRequest, program_id: int, event_id: int) -> HttpResponse:
    """The event as an .ics file to add to any calendar."""
    found = access_event(request.user, program_id, event_id)
    event = found.event
    data = event_download(event, url=selectors.event_url(event))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    name = slugify(event.title) or "event"
    response["Content-Disposition"] = f'attachment; filename="{name}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
