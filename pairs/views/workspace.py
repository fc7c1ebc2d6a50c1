"""The mentorship workspace: the pair's own page, for the two people only.

Every view goes through pairs.access.access_mentorship: the two people get
in; the program's coordinators get 403 (they use the Pairs page, which shows no
private text); other members and HR get 403; anyone else gets 404. Forms post
normally and redirect back (POST/redirect/GET); errors re-render with field errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.notifications import zone as notification_zone
from pairs import workspace
from pairs.access import MentorshipAccess, access_mentorship
from pairs.checkins import links as checkin_links
from pairs.checkins import services as checkin_services
from pairs.checkins.forms import (
    CheckInLogForm,
    CheckInProposeForm,
    CheckInTimeForm,
    PastCheckInForm,
)
from pairs.forms import AgreementForm, GoalProgressForm, MilestoneForm, PairGoalForm
from pairs.mentorships import match_reasons
from pairs.models import CheckIn, Milestone, PairGoal
from programs.models import Profile
from programs.services import ProgramError


def _checkin(found: MentorshipAccess, checkin_id: int) -> CheckIn:
    checkin = CheckIn.objects.filter(mentorship=found.mentorship, pk=checkin_id).first()
    if checkin is None:
        raise Http404
    checkin.mentorship = found.mentorship
    return checkin


def _back(mentorship_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("pairs:workspace", mentorship_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _page(request: AuthenticatedHttpRequest, found: MentorshipAccess, **forms: Any) -> HttpResponse:
    user = request.user
    mentorship = found.mentorship
    data = workspace.workspace_get(mentorship=mentorship)
    partner = found.partner
    partner_user = partner.user if partner is not None else None
    profile = (
        Profile.objects.filter(user=partner_user).first() if partner_user is not None else None
    )
    agreement = data.agreement
    my_accepted = getattr(agreement, f"{found.side}_accepted_at")
    context = {
        "access": found,
        "mentorship": mentorship,
        "program": mentorship.program,
        "partner": partner,
        "partner_user": partner_user,
        "profile": profile,
        "why": match_reasons(mentorship=mentorship),
        "data": data,
        "health_label": workspace.Health.LABELS[data.health],
        "agreement": agreement,
        "my_accepted": my_accepted,
        "viewer_zone": timezone.get_current_timezone_name(),
        "is_active": mentorship.is_active,
        "agreement_form": forms.get("agreement_form")
        or AgreementForm(initial={"expectations": agreement.expectations}),
        "goal_form": forms.get("goal_form") or PairGoalForm(),
        "propose_form": forms.get("propose_form") or CheckInProposeForm(user=user),
        "milestone_form": MilestoneForm(),
        "now": timezone.now(),
        # The form that came back with errors: base.html lists them at the top, marks
        # the title and app.js moves focus there (one error summary for every page).
        "error_form": next((f for f in forms.values() if f is not None and f.errors), None),
    }
    return render(request, "pairs/workspace.html", context)


@login_required
@require_safe
def workspace_view(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    return _page(request, access_mentorship(request.user, mentorship_id))


def _fail(request: HttpRequest, error: ProgramError) -> None:
    messages.error(request, str(error))


# -- Agreement -----------------------------------------------------------------


@login_required
@require_POST
def agreement_update(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        return _page(request, found, agreement_form=form)
    try:
        workspace.agreement_update(
            mentorship=found.mentorship,
            by=request.user,
            expectations=form.cleaned_data["expectations"],
        )
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Agreement saved. Your partner is asked to accept it."))
    return _back(mentorship_id, "agreement")


@login_required
@require_POST
def agreement_accept(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    try:
        workspace.agreement_accept(mentorship=found.mentorship, by=request.user)
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(request, _("You accepted the agreement."))
    return _back(mentorship_id, "agreement")


# -- Goals ---------------------------------------------------------------------


@login_required
@require_POST
def pair_goal_create(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    form = PairGoalForm(request.POST)
    if not form.is_valid():
        return _page(request, found, goal_form=form)
    try:
        workspace.pair_goal_create(
            mentorship=found.mentorship, by=request.user, **form.cleaned_data
        )
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Goal added."))
    return _back(mentorship_id, "goals")


def _goal(found: MentorshipAccess, goal_id: int) -> PairGoal:
    goal = PairGoal.objects.filter(mentorship=found.mentorship, pk=goal_id).first()
    if goal is None:
        raise Http404
    goal.mentorship = found.mentorship
    return goal


@login_required
@require_POST
def pair_goal_update(
    request: AuthenticatedHttpRequest, mentorship_id: int, goal_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    goal = _goal(found, goal_id)
    form = GoalProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and a progress from 0 to 100."))
        return _back(mentorship_id, "goals")
    try:
        workspace.pair_goal_update(goal=goal, by=request.user, **form.cleaned_data)
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Goal updated."))
    return _back(mentorship_id, "goals")


@login_required
@require_POST
def milestone_create(
    request: AuthenticatedHttpRequest, mentorship_id: int, goal_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    goal = _goal(found, goal_id)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A milestone needs a name (and a valid date, if any)."))
        return _back(mentorship_id, "goals")
    try:
        workspace.milestone_create(goal=goal, by=request.user, **form.cleaned_data)
    except ProgramError as error:
        _fail(request, error)
    return _back(mentorship_id, "goals")


@login_required
@require_POST
def milestone_toggle(
    request: AuthenticatedHttpRequest, mentorship_id: int, milestone_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    milestone = (
        Milestone.objects.filter(goal__mentorship=found.mentorship, pk=milestone_id)
        .select_related("goal")
        .first()
    )
    if milestone is None:
        raise Http404
    milestone.goal.mentorship = found.mentorship
    try:
        workspace.milestone_toggle(milestone=milestone, by=request.user)
    except ProgramError as error:
        _fail(request, error)
    return _back(mentorship_id, "goals")


# -- Check-ins -----------------------------------------------------------------


@login_required
@require_POST
def checkin_propose(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    user = request.user
    form = CheckInProposeForm(request.POST, user=user)
    if not form.is_valid():
        return _page(request, found, propose_form=form)
    try:
        checkin_services.checkin_propose(
            mentorship=found.mentorship,
            by=user,
            repeat=form.cleaned_data["repeat"],
            **form.time_fields(),
        )
    except ProgramError as error:
        form.add_error(None, str(error))
        return _page(request, found, propose_form=form)
    messages.success(request, _("Time proposed. Your partner is asked to accept it."))
    return _back(mentorship_id, "checkins")


@login_required
@require_POST
def checkin_accept(
    request: AuthenticatedHttpRequest, mentorship_id: int, checkin_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    checkin = _checkin(found, checkin_id)
    try:
        checkin_services.checkin_accept(checkin=checkin, by=request.user)
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(
            request, _("Check-in scheduled. The invitation is on its way to you both.")
        )
    return _back(mentorship_id, "checkins")


@login_required
@require_POST
def checkin_cancel(
    request: AuthenticatedHttpRequest, mentorship_id: int, checkin_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    checkin = _checkin(found, checkin_id)
    try:
        checkin_services.checkin_cancel(checkin=checkin, by=request.user)
    except ProgramError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Check-in cancelled. You both get a cancellation."))
    return _back(mentorship_id, "checkins")


@login_required
@require_http_methods(["GET", "POST"])
def checkin_reschedule(
    request: AuthenticatedHttpRequest, mentorship_id: int, checkin_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    checkin = _checkin(found, checkin_id)
    user = request.user
    local = timezone.localtime(checkin.scheduled_at).replace(tzinfo=None)
    form = CheckInTimeForm(
        request.POST or None,
        user=user,
        initial={
            "scheduled_at": local,
            "duration_minutes": checkin.duration_minutes,
            "location": checkin.location,
            "video_url": checkin.video_url,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkin_services.checkin_reschedule(checkin=checkin, by=user, **form.time_fields())
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("New time sent to your partner."))
            return _back(mentorship_id, "checkins")
    context = {
        "access": found,
        "mentorship": found.mentorship,
        "checkin": checkin,
        "form": form,
        "viewer_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "pairs/checkin_reschedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_log(
    request: AuthenticatedHttpRequest, mentorship_id: int, checkin_id: int
) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    checkin = _checkin(found, checkin_id)
    goals = list(PairGoal.objects.filter(mentorship=found.mentorship, status=PairGoal.Status.OPEN))
    initial = {
        "outcome": checkin.status if checkin.is_logged else CheckIn.Status.DONE,
        "duration_minutes": checkin.duration_minutes,
        "topics": checkin.topics,
        "notes": checkin.notes,
    }
    form = CheckInLogForm(request.POST or None, goals=goals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            checkin_services.checkin_log(checkin=checkin, by=request.user, **_logged(form))
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Check-in logged. Thank you!"))
            return _back(mentorship_id, "checkins")
    context = {"access": found, "mentorship": found.mentorship, "checkin": checkin, "form": form}
    return render(request, "pairs/checkin_log.html", context)


def _logged(form: CheckInLogForm | PastCheckInForm) -> dict[str, Any]:
    """What both log forms give the check-in services: the meeting's outcome and notes."""
    data = form.cleaned_data
    fields = ("outcome", "duration_minutes", "topics", "notes", "rating")
    return {name: data[name] for name in fields} | {"goal_progress": form.goal_progress()}


@login_required
@require_http_methods(["GET", "POST"])
def checkin_log_past(request: AuthenticatedHttpRequest, mentorship_id: int) -> HttpResponse:
    found = access_mentorship(request.user, mentorship_id)
    user = request.user
    goals = list(PairGoal.objects.filter(mentorship=found.mentorship, status=PairGoal.Status.OPEN))
    form = PastCheckInForm(
        request.POST or None, goals=goals, user=user, initial={"outcome": "done"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkin_services.checkin_log_past(
                mentorship=found.mentorship,
                by=user,
                held_at=form.cleaned_data["held_at"],
                **_logged(form),
            )
        except ProgramError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Check-in logged. Thank you!"))
            return _back(mentorship_id, "checkins")
    context = {"access": found, "mentorship": found.mentorship, "checkin": None, "form": form}
    return render(request, "pairs/checkin_log.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def checkin_log_link(request: HttpRequest, token: str) -> HttpResponse:
    """One click from a reminder email: "we met" or "we didn't".

    Opening the link shows one button and records nothing (mail security scanners open
    every link in a message); pressing it posts back here and records the answer. No
    sign-in is needed: the signed, expiring link is the credential. A second press
    changes nothing, and the person can change the log in the workspace.
    """
    if request.method == "POST":
        result = checkin_services.checkin_log_from_link(token)
    else:
        result = checkin_links.checkin_link_read(token)
    status = 200 if result.ok else (410 if result.outcome in ("expired", "moved") else 404)
    context = {"result": result, "checkin": result.checkin}
    person = result.person
    with timezone.override(notification_zone(person.time_zone if person else "")):
        response = render(request, "pairs/checkin_link_result.html", context, status=status)
    # The token stays out of other sites' logs (see surveys' answer page).
    response["Referrer-Policy"] = "same-origin"
    return response
