"""Programs: the list, creating and editing one, its overview, state, goals,
coordinators and shareable join link.

Coordinators manage only their programs; HR viewers and site admins read them;
participants see the overview of their own programs; anyone else gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentoring.emails import absolute_url
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import User
from programs import selectors, services
from programs.access import Need, ProgramAccess, access_program, can_create_programs
from programs.forms import (
    CADENCE_PRESETS,
    CoordinatorAddForm,
    GoalForm,
    JoinLinkForm,
    ProgramForm,
    TransitionForm,
)
from programs.models import Participant, Program, ProgramGoal
from programs.pages import goals_measured, overview_context
from programs.services import ProgramError

PROGRAMS_PER_PAGE = 25

State = Program.State

# What the button for each move says; closing is the same from every state.
TRANSITION_LABELS: dict[tuple[str, str], Any] = {
    (State.DRAFT, State.ENROLLING): gettext_lazy("Open enrolment"),
    (State.ENROLLING, State.DRAFT): gettext_lazy("Back to draft"),
    (State.ENROLLING, State.MATCHING): gettext_lazy("Start matching"),
    (State.MATCHING, State.ENROLLING): gettext_lazy("Reopen enrolment"),
    (State.MATCHING, State.RUNNING): gettext_lazy("Start the program"),
}


def transition_choices(program: Program) -> list[dict[str, Any]]:
    """The moves a coordinator may make now, as buttons: forward moves first."""
    choices = []
    for to_state in services.program_allowed_transitions(program):
        if to_state == State.CLOSED:
            continue
        choices.append(
            {
                "to_state": to_state,
                "label": TRANSITION_LABELS.get((program.state, to_state), State(to_state).label),
                "forward": list(State.values).index(to_state)
                > list(State.values).index(program.state),
            }
        )
    choices.sort(key=lambda choice: not choice["forward"])
    return choices


def cadence_label(days: int) -> str:
    preset = CADENCE_PRESETS.get(days)
    if preset is not None:
        return str(preset)
    return ngettext("Every day", "Every %(days)s days", days) % {"days": days}


def goal_target_label(goal: ProgramGoal) -> str:
    """A goal's target as people read it: "80%" or "4.5 out of 5"."""
    number = f"{goal.target_value:f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    if goal.is_percent:
        return _("%(number)s%%") % {"number": number}
    return _("%(number)s out of 5") % {"number": number}


def _goal_rows(program: Program) -> list[dict[str, Any]]:
    """Each goal with its target and, when enough people stand behind it, its value
    (measured on the pairs' data by the pairs app, see programs.pages)."""
    measured = goals_measured(program)
    if measured is not None:
        return [
            {"goal": row.goal, "target": goal_target_label(row.goal), "progress": row}
            for row in measured
        ]
    return [
        {"goal": goal, "target": goal_target_label(goal), "progress": None}
        for goal in program.goals.all()
    ]


def _label(choices: type[models.TextChoices], value: str | None) -> str:
    return str(choices(value).label) if value else ""


def _without_page(request: HttpRequest) -> QueryDict:
    query = request.GET.copy()
    query.pop("page", None)
    return query


def join_url(program: Program) -> str:
    if not program.join_token:
        return ""
    return absolute_url(reverse("programs:join_by_link", args=[program.pk, program.join_token]))


# ------------------------------------------------------------------------------
# List, create, edit
# ------------------------------------------------------------------------------


@login_required
@require_safe
def program_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.program_list(user=user), PROGRAMS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "program": program,
            "role": _label(Participant.Role, getattr(program, "my_role", None)),
            "status": _label(Participant.Status, getattr(program, "my_status", None)),
        }
        for program in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "can_create": can_create_programs(user),
        "is_reader": bool(user.is_hr_viewer or user.is_staff),
        "query": _without_page(request),
    }
    return render(request, "programs/program_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not can_create_programs(user):
        raise PermissionDenied
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(created_by=user, **form.program_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("“%(name)s” is ready as a draft. Add goals, then open enrolment.")
                % {"name": program.name},
            )
            return redirect("programs:program_overview", program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


@login_required
@require_http_methods(["GET", "POST"])
def program_edit(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    is_closed = program.state == State.CLOSED
    form = ProgramForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_update(program=program, by=request.user, **form.program_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("programs:program_overview", program.pk)
    context = {"form": form, "program": program, "is_closed": is_closed}
    return render(request, "programs/program_form.html", context)


# ------------------------------------------------------------------------------
# Overview and state
# ------------------------------------------------------------------------------


def _overview_context(access: ProgramAccess) -> dict[str, Any]:
    program = access.program
    # HR and participants see counts only when the group is big enough to hide anyone.
    return {
        "access": access,
        "program": program,
        "join_url": join_url(program) if access.is_coordinator else "",
        "min_group": program.min_group_size,
        "show_small_counts": access.is_coordinator,
    }


@login_required
@require_safe
def program_overview(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id)
    program = access.program
    summary = selectors.enrolment_summary(program=program)
    context = {
        **_overview_context(access),
        "transitions": transition_choices(program) if access.is_coordinator else [],
        "can_close": access.is_coordinator
        and State.CLOSED in services.PROGRAM_TRANSITIONS[program.state],
        "goals": _goal_rows(program),
        "cadence": cadence_label(program.checkin_cadence_days),
        "summary": summary,
        "summary_rows": summary.table(),
        "coordinators": list(program.coordinators.order_by("full_name", "email")),
        "state_changes": (
            selectors.state_change_list(program=program)
            if access.is_coordinator or access.is_reader
            else []
        ),
        **_mentorship_context(access),
    }
    return render(request, "programs/program_overview.html", context)


def _mentorship_context(access: ProgramAccess) -> dict[str, Any]:
    """The re-match queue for coordinators, and what the apps above add (the pairs
    app: closures for coordinators, the person's own active mentorship to end it
    early for participants; see programs.pages)."""
    program = access.program
    context: dict[str, Any] = {}
    if access.is_coordinator:
        context["rematch_waiting"] = (
            Participant.objects.filter(
                program=program,
                role=Participant.Role.MENTEE,
                rematch_requested_at__isnull=False,
            )
            .exclude(status=Participant.Status.WITHDRAWN)
            .count()
        )
    context.update(overview_context(access))
    return context


@login_required
@require_POST
def program_transition(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a state to move the program to."))
        return redirect("programs:program_overview", program.pk)
    try:
        services.program_transition(
            program=program, to_state=form.cleaned_data["to_state"], by=request.user
        )
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(name)s” is now %(state)s.")
            % {"name": program.name, "state": program.get_state_display().lower()},
        )
    return redirect("programs:program_overview", program.pk)


# ------------------------------------------------------------------------------
# Goals
# ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def goal_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(
        request.user, program_id, need=Need.MANAGE if request.method == "POST" else Need.READ
    )
    program = access.program
    goals = list(program.goals.all())
    editing = next((g for g in goals if g.metric == request.GET.get("metric")), None)
    initial = (
        {
            "metric": editing.metric,
            "target_value": editing.target_value,
            "target_on": editing.target_on,
        }
        if editing
        else {}
    )
    form = GoalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.program_goal_set(
                program=program,
                metric=data["metric"],
                target_value=data["target_value"],
                target_on=data["target_on"],
                by=request.user,
            )
        except ProgramError as error:
            form.add_error("target_value", str(error))
        else:
            messages.success(
                request,
                _("Goal saved: %(metric)s.") % {"metric": ProgramGoal.Metric(data["metric"]).label},
            )
            return redirect("programs:goal_list", program.pk)
    context = {
        "access": access,
        "program": program,
        "goals": _goal_rows(program),
        "form": form,
        "editing": editing,
        "can_edit": access.is_coordinator and program.state != State.CLOSED,
    }
    return render(request, "programs/goal_list.html", context)


@login_required
@require_POST
def goal_delete(request: AuthenticatedHttpRequest, program_id: int, goal_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    goal = get_object_or_404(ProgramGoal, pk=goal_id, program=access.program)
    try:
        services.program_goal_delete(goal=goal, by=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Goal removed: %(metric)s.") % {"metric": goal.get_metric_display()}
        )
    return redirect("programs:goal_list", access.program.pk)


# ------------------------------------------------------------------------------
# Coordinators
# ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coordinator_list(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    user = request.user
    access = access_program(
        request.user, program_id, need=Need.MANAGE if request.method == "POST" else Need.READ
    )
    program = access.program
    form = CoordinatorAddForm()
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            return _coordinator_remove(request, access)
        form = CoordinatorAddForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            person = User.objects.filter(email__iexact=email, is_active=True).first()
            if person is None:
                form.add_error(
                    "email",
                    _("No one has an account with %(email)s yet. Ask them to sign up first.")
                    % {"email": email},
                )
            elif program.coordinators.filter(pk=person.pk).exists():
                form.add_error(
                    "email",
                    _("%(name)s already coordinates this program.") % {"name": person.display_name},
                )
            else:
                services.program_coordinator_add(program=program, user=person, by=user)
                messages.success(
                    request,
                    _("%(name)s now coordinates “%(program)s”.")
                    % {"name": person.display_name, "program": program.name},
                )
                return redirect("programs:coordinator_list", program.pk)
    context = {
        "access": access,
        "program": program,
        "coordinators": list(program.coordinators.order_by("full_name", "email")),
        "form": form,
    }
    return render(request, "programs/program_coordinators.html", context)


def _coordinator_remove(request: AuthenticatedHttpRequest, access: ProgramAccess) -> HttpResponse:
    program = access.program
    user = request.user
    person = program.coordinators.filter(pk=request.POST.get("user_id") or 0).first()
    if person is None:
        messages.error(request, _("That person does not coordinate this program."))
        return redirect("programs:coordinator_list", program.pk)
    try:
        services.program_coordinator_remove(program=program, user=person, by=user)
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("programs:coordinator_list", program.pk)
    if person.pk == user.pk:
        messages.success(
            request, _("You no longer coordinate “%(program)s”.") % {"program": program.name}
        )
        return redirect("programs:program_list")
    messages.success(
        request,
        _("%(name)s no longer coordinates “%(program)s”.")
        % {"name": person.display_name, "program": program.name},
    )
    return redirect("programs:coordinator_list", program.pk)


# ------------------------------------------------------------------------------
# Shareable join link
# ------------------------------------------------------------------------------


@login_required
@require_POST
def join_link_update(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    access = access_program(request.user, program_id, need=Need.MANAGE)
    program = access.program
    form = JoinLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to turn the link on, reset it or turn it off."))
    elif program.state == State.CLOSED:
        messages.error(request, _("A closed program can no longer be changed."))
    elif form.cleaned_data["action"] == "disable":
        services.program_join_link_disable(program=program, by=request.user)
        messages.success(request, _("The join link is off; it no longer works."))
    else:
        had_link = bool(program.join_token)
        services.program_join_link_enable(program=program, by=request.user)
        messages.success(
            request,
            _("The join link is new; the old one no longer works.")
            if had_link
            else _("The join link is on. Share it with the people you want to invite."),
        )
    if request.htmx:
        context = {**_overview_context(access), "is_htmx": True}
        return render(request, "programs/program_overview.html#join_link", context)
    return redirect(reverse("programs:program_overview", args=[program.pk]) + "#join-link")
