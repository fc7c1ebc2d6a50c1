"""The coordinator's matching pages: criteria and rules, runs, the draft review, publishing.

For the program's coordinators only: participants and HR viewers get 403, anyone else
404 (access_program). A run is looked up inside the program of the URL.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from matching import inputs, learning, runs
from matching.forms import CriterionForm, MatchSettingsForm, PairRuleForm, WeightForm, WhatIfForm
from matching.models import MatchCriterion, MatchProposal, MatchRun, MatchSettings, PairRule
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs.access import Need, access_program
from programs.models import Participant, Program
from programs.services import ProgramError

PAIRS_PER_PAGE = 50


def criterion_label(row: dict[str, Any], catalog: dict[str, inputs.Field]) -> str:
    def label(key: str) -> str:
        field = catalog.get(key)
        return field.label if field else key

    rule = MatchCriterion.Rule(row["rule"])
    if rule == MatchCriterion.Rule.SIMILAR_THEMES:
        if not row.get("mentor_field") or row["mentor_field"] == row["field"]:
            return _("Similar themes in %(field)s") % {"field": label(row["field"])}
        return _("Similar themes: mentee's %(wants)s ↔ mentor's %(offers)s") % {
            "wants": label(row["field"]),
            "offers": label(row["mentor_field"]),
        }
    if rule == MatchCriterion.Rule.COMPLEMENTARY:
        return _("Mentee's %(wants)s ↔ mentor's %(offers)s") % {
            "wants": label(row["field"]),
            "offers": label(row.get("mentor_field") or row["field"]),
        }
    names = {
        MatchCriterion.Rule.SIMILAR: _("Similar %(field)s"),
        MatchCriterion.Rule.SENIORITY_GAP: _("Seniority gap of %(gap)s+ levels"),
        MatchCriterion.Rule.SAME: _("Same %(field)s"),
        MatchCriterion.Rule.DIFFERENT: _("Different %(field)s"),
        MatchCriterion.Rule.TIME_ZONE: _("Time zones within %(hours)s hours"),
    }
    return names[rule] % {
        "field": label(row["field"]),
        "gap": row.get("min_gap", 1),
        "hours": row.get("max_hours", 8),
    }


# -- criteria -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def criteria(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """The program's matching set-up: objective, hard rules, weighted criteria, pins
    and blocks, and the button that starts a run."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    match_settings = MatchSettings.objects.filter(program=program).first() or MatchSettings(
        program=program
    )
    settings_form = MatchSettingsForm(instance=match_settings, prefix="settings")
    criterion_form = CriterionForm(program=program, prefix="criterion")
    rule_form = PairRuleForm(program=program, prefix="pair")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "settings":
                settings_form = MatchSettingsForm(
                    request.POST, instance=match_settings, prefix="settings"
                )
                if settings_form.is_valid():
                    runs.match_settings_update(
                        program=program, by=request.user, **settings_form.cleaned_data
                    )
                    messages.success(request, _("Matching rules saved."))
                    return redirect("matching:criteria", program_id=program.pk)
            elif action == "criterion":
                criterion_form = CriterionForm(request.POST, program=program, prefix="criterion")
                if criterion_form.is_valid():
                    runs.criterion_add(program=program, by=request.user, **criterion_form.cleaned())
                    messages.success(request, _("Criterion added."))
                    return redirect("matching:criteria", program_id=program.pk)
            elif action == "recommended":
                added = runs.criteria_recommended_add(program=program, by=request.user)
                messages.success(
                    request,
                    ngettext("%(n)d criterion added.", "%(n)d criteria added.", added)
                    % {"n": added},
                )
                return redirect("matching:criteria", program_id=program.pk)
            elif action == "pair":
                rule_form = PairRuleForm(request.POST, program=program, prefix="pair")
                if rule_form.is_valid():
                    data = rule_form.cleaned_data
                    runs.pair_rule_set(
                        program=program,
                        mentee_id=data["mentee"].pk,
                        mentor_id=data["mentor"].pk,
                        kind=data["kind"],
                        by=request.user,
                    )
                    messages.success(request, _("Pair rule saved."))
                    return redirect("matching:criteria", program_id=program.pk)
        except ProgramError as error:
            form = criterion_form if action == "criterion" else rule_form
            form.add_error(None, str(error))
    catalog = inputs.field_catalog(program)
    criteria_rows = [
        {
            "criterion": criterion,
            "label": criterion_label(inputs.criterion_row(criterion), catalog),
            "form": WeightForm(
                initial={"weight": criterion.weight, "custom_weight": criterion.custom_weight},
                prefix=f"c{criterion.pk}",
            ),
        }
        for criterion in MatchCriterion.objects.filter(program=program)
    ]
    pair_rules = PairRule.objects.filter(program=program).select_related("mentee", "mentor")
    latest = runs.run_list(program=program).first()
    context = {
        "program": program,
        "settings_form": settings_form,
        "criterion_form": criterion_form,
        "rule_form": rule_form,
        "criteria": criteria_rows,
        "pair_rules": pair_rules,
        "latest_run": latest,
        "can_run": program.state in runs.RUN_STATES,
        "runs": runs.run_list(program=program)[:10],
    }
    return render(request, "matching/criteria.html", context)


@login_required
@require_POST
def criterion_update(
    request: AuthenticatedHttpRequest, program_id: int, criterion_id: int
) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    criterion = get_object_or_404(
        MatchCriterion.objects.select_related("program"), pk=criterion_id, program=program
    )
    form = WeightForm(request.POST, prefix=f"c{criterion.pk}")
    if form.is_valid():
        try:
            runs.criterion_update(criterion=criterion, by=request.user, **form.cleaned_data)
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Weight saved."))
    else:
        messages.error(request, _("Give the weight as a number between 0.01 and 100."))
    return redirect("matching:criteria", program_id=program.pk)


@login_required
@require_POST
def criterion_delete(
    request: AuthenticatedHttpRequest, program_id: int, criterion_id: int
) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    criterion = get_object_or_404(MatchCriterion, pk=criterion_id, program=program)
    runs.criterion_delete(criterion=criterion, by=request.user)
    messages.success(request, _("Criterion removed."))
    return redirect("matching:criteria", program_id=program.pk)


@login_required
@require_POST
def pair_rule_delete(
    request: AuthenticatedHttpRequest, program_id: int, rule_id: int
) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    rule = get_object_or_404(PairRule, pk=rule_id, program=program)
    runs.pair_rule_delete(rule=rule, by=request.user)
    messages.success(request, _("Pair rule removed."))
    return redirect("matching:criteria", program_id=program.pk)


# -- weights learnt from outcomes -------------------------------------------------------


def _points(share: float) -> str:
    """A change in a chance as signed percentage points: "+12", "-3", "0"."""
    value = round(share * 100)
    return f"+{value}" if value > 0 else str(value)


@login_required
@require_safe
def weight_suggestions(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """What past pairs' outcomes suggest for the weights (aggregates only), with a
    what-if preview of the suggestion on the latest run's people."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    found = learning.weight_suggestions(program=program)
    catalog = inputs.field_catalog(program)
    rows = []
    for row in found.rows:
        estimate = row.estimate
        rows.append(
            {
                "suggestion": row,
                "label": criterion_label(inputs.criterion_row(row.criterion), catalog),
                "effect": _points(estimate.effect) if estimate.effect is not None else "",
                "low": _points(estimate.low) if estimate.low is not None else "",
                "high": _points(estimate.high) if estimate.high is not None else "",
            }
        )
    latest = (
        runs.run_list(program=program)
        .filter(status__in=[MatchRun.Status.DRAFT, MatchRun.Status.PUBLISHED])
        .first()
    )
    context: dict[str, Any] = {
        "program": program,
        "found": found,
        "rows": rows,
        "run": latest,
    }
    if request.GET.get("preview") and found.any_enough and latest is not None:
        try:
            context["whatif"] = runs.match_whatif(
                run=latest, criteria_weights=found.whatif_weights()
            )
        except ProgramError as error:
            context["whatif_error"] = str(error)
    return render(request, "matching/weight_suggestions.html", context)


@login_required
@require_POST
def weight_suggestions_adopt(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    """Make the suggested weights (all, or one criterion's) the program's weights."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    raw = request.POST.get("criterion", "")
    criterion_id = int(raw) if raw.isdigit() else None
    changed = learning.weight_suggestions_adopt(
        program=program, by=request.user, criterion_id=criterion_id
    )
    if changed:
        messages.success(
            request,
            ngettext(
                "%(n)d suggested weight adopted. The next run uses it.",
                "%(n)d suggested weights adopted. The next run uses them.",
                changed,
            )
            % {"n": changed},
        )
    else:
        messages.error(request, _("There is no suggestion to adopt yet."))
    return redirect("matching:weight_suggestions", program_id=program.pk)


# -- runs -------------------------------------------------------------------------------


@login_required
@require_POST
def run_start(request: AuthenticatedHttpRequest, program_id: int) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    try:
        run = runs.match_run_start(program=program, by=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("matching:criteria", program_id=program.pk)
    return redirect("matching:run_detail", program_id=program.pk, run_id=run.pk)


def _run(program: Program, run_id: int) -> MatchRun:
    return get_object_or_404(
        MatchRun.objects.select_related("program", "created_by", "published_by", "previous"),
        pk=run_id,
        program=program,
    )


def _chart(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Bars of the score histogram, with their heights in percent of the tallest."""
    histogram = summary.get("histogram") or []
    top = max(histogram, default=0) or 1
    width = 100 // max(len(histogram), 1)
    return [
        {
            "low": n * width,
            "high": 100 if n == len(histogram) - 1 else n * width + width - 1,
            "count": count,
            # SVG geometry: 40 units a bar, 140 units of height.
            "x": n * 40 + 3,
            "label_x": n * 40 + 20,
            "h": round(140 * count / top),
            "y": 140 - round(140 * count / top),
        }
        for n, count in enumerate(histogram)
    ]


@login_required
@require_safe
def run_detail(request: AuthenticatedHttpRequest, program_id: int, run_id: int) -> HttpResponse:
    """The draft review: totals, chart, differences, pairs with reasons, the unmatched."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    run = _run(program, run_id)
    if request.htmx and request.GET.get("poll"):
        if run.is_finished:
            return HttpResponseClientRefresh()
        return render(
            request, "matching/run_detail.html#progress", {"program": program, "run": run}
        )
    context: dict[str, Any] = {"program": program, "run": run}
    if run.is_finished:
        proposals = (
            MatchProposal.objects.filter(run=run)
            .select_related("mentee", "mentor")
            .order_by(F("mentor").asc(nulls_last=True), F("score").desc(nulls_last=True), "pk")
        )
        search = request.GET.get("q", "").strip()
        if search:
            proposals = proposals.filter(
                Q(mentee__full_name__icontains=search)
                | Q(mentee__email__icontains=search)
                | Q(mentor__full_name__icontains=search)
                | Q(mentor__email__icontains=search)
            )
        page = Paginator(proposals, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        diff = runs.run_diff(run=run, previous=run.previous)
        labels = {
            row["key"]: criterion_label(row, inputs.field_catalog(program))
            for row in run.config.get("criteria", [])
        }
        mentees = Participant.objects.filter(
            pk__in=MatchProposal.objects.filter(run=run).values("mentee_id")
        ).order_by("full_name", "email")
        mentors = Participant.objects.filter(
            program=program, role=Participant.Role.MENTOR, status=Participant.Status.ACTIVE
        ).order_by("full_name", "email")
        context.update(
            page=page,
            query=query,
            search=search,
            chart=_chart(run.summary),
            diff=diff,
            criteria_labels=[(labels[row["key"]], row) for row in run.config.get("criteria", [])],
            whatif_form=WhatIfForm(criteria=run.config.get("criteria", []), labels=labels),
            mentees=mentees,
            mentors=mentors,
            can_edit=run.status == MatchRun.Status.DRAFT,
            unmatched_labels=dict(MatchProposal.Unmatched.choices),
        )
    return render(request, "matching/run_detail.html", context)


def _int(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise ProgramError(_("Choose a person from the list.")) from None


@login_required
@require_POST
def run_edit(request: AuthenticatedHttpRequest, program_id: int, run_id: int) -> HttpResponse:
    """Swap, reassign, remove, pin, unpin or block pairs of a draft."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    run = _run(program, run_id)
    action = request.POST.get("action", "")
    user = request.user
    try:
        if action == "swap":
            runs.proposal_swap(
                run=run,
                mentee_a=_int(request, "mentee_a"),
                mentee_b=_int(request, "mentee_b"),
                by=user,
            )
            messages.success(request, _("Swapped their mentors."))
        elif action == "assign":
            runs.proposal_assign(
                run=run,
                mentee_id=_int(request, "mentee"),
                mentor_id=_int(request, "mentor"),
                by=user,
            )
            messages.success(request, _("Mentor changed."))
        elif action == "remove":
            runs.proposal_remove(run=run, mentee_id=_int(request, "mentee"), by=user)
            messages.success(request, _("Pair removed from the draft."))
        elif action in ("pin", "block"):
            mentee_id, mentor_id = _int(request, "mentee"), _int(request, "mentor")
            runs.pair_rule_set(
                program=program, mentee_id=mentee_id, mentor_id=mentor_id, kind=action, by=user
            )
            if action == "block":
                runs.proposal_remove(run=run, mentee_id=mentee_id, by=user)
                messages.success(
                    request,
                    _("Blocked: they will never be paired. Run again to find another mentor."),
                )
            else:
                MatchProposal.objects.filter(
                    run=run, mentee_id=mentee_id, mentor_id=mentor_id
                ).update(pinned=True)
                messages.success(request, _("Pinned: every new run keeps this pair."))
        elif action == "unpin":
            mentee_id, mentor_id = _int(request, "mentee"), _int(request, "mentor")
            runs.pair_pin_delete(program=program, mentee_id=mentee_id, mentor_id=mentor_id, by=user)
            # The pair stays in this draft; new runs are free to pair them differently.
            MatchProposal.objects.filter(run=run, mentee_id=mentee_id, mentor_id=mentor_id).update(
                pinned=False
            )
            messages.success(request, _("Unpinned: new runs may pair them differently."))
        else:
            raise ProgramError(_("Unknown action."))
    except ProgramError as error:
        messages.error(request, str(error))
    url = reverse("matching:run_detail", args=[program.pk, run.pk])
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}#pairs" if page.isdigit() else f"{url}#pairs")


@login_required
@require_safe
def run_whatif(request: AuthenticatedHttpRequest, program_id: int, run_id: int) -> HttpResponse:
    """What other weights would change, before anything is saved."""
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    run = _run(program, run_id)
    labels = {
        row["key"]: criterion_label(row, inputs.field_catalog(program))
        for row in run.config.get("criteria", [])
    }
    form = WhatIfForm(request.GET, criteria=run.config.get("criteria", []), labels=labels)
    context: dict[str, Any] = {"program": program, "run": run, "whatif_form": form}
    if form.is_valid() and run.is_finished:
        try:
            context["whatif"] = runs.match_whatif(
                run=run,
                criteria_weights=form.weights(),
                objective=form.cleaned_data.get("objective") or None,
            )
        except ProgramError as error:
            context["whatif_error"] = str(error)
    return render(request, "matching/run_detail.html#whatif", context)


@login_required
@require_POST
def run_publish(request: AuthenticatedHttpRequest, program_id: int, run_id: int) -> HttpResponse:
    program = access_program(request.user, program_id, need=Need.MANAGE).program
    run = _run(program, run_id)
    try:
        count = runs.match_run_publish(run=run, by=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "Published: %(n)d pair was created and introduced by email.",
                "Published: %(n)d pairs were created and introduced by email.",
                count,
            )
            % {"n": count},
        )
    return redirect("matching:run_detail", program_id=program.pk, run_id=run.pk)
