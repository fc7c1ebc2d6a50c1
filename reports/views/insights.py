"""HR's pages: the cross-program dashboard and the outcome file import.

For HR viewers and site staff only (403 for everyone else signed in). Every number
is an aggregate that went through small-group suppression (reports.insights).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from mentoring.access import access_insights
from mentoring.csv_export import csv_download
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import OutcomeImport
from mentoring.validators import SensibleDateField
from programs.models import Program
from reports import insights, outcomes
from reports.charts import column_chart
from reports.tasks import snapshot_insights_task

# Every table of the dashboard as CSV (?export=<name>), as shown: hidden cells stay empty.
EXPORTS = ("participation", "outcomes", "engagement", "satisfaction", "diversity")


class MonthField(SensibleDateField):
    """A month, typed as 2026-03 (a full date is read as its month)."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": gettext_lazy("Enter a month, such as 2026-03.")}
    widget = forms.DateInput(format="%Y-%m", attrs={"type": "month", "placeholder": "2026-03"})

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class InsightFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.exclude(state=Program.State.DRAFT).order_by("name"),
        required=False,
        empty_label=gettext_lazy("All programs"),
    )
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    start = MonthField(label=gettext_lazy("From (month)"), required=False)
    end = MonthField(label=gettext_lazy("To (month)"), required=False)

    def __init__(self, *args: Any, departments: list[str] | None = None, **kwargs: Any) -> None:
        """``departments``: the names to offer (last night's list), else looked up now."""
        super().__init__(*args, **kwargs)
        # An empty form shows the period it stands for, not blank month pickers.
        start, end = insights.default_period(timezone.localdate())
        self.initial.setdefault("start", start)
        self.initial.setdefault("end", end.replace(day=1))
        if departments is None:
            departments = insights.department_names()
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("All departments")),
            *[(d, d) for d in departments],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end must be after the start."))
        return data

    def filters(self) -> insights.Filters:
        """Whole months: from the first day of the first month to the last day of the
        last (today at the latest); by default the last twelve months."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("end") or today.replace(day=1)
        first = data.get("start") or insights.months_before(last, insights.MONTHS_SHOWN - 1)
        program = data.get("program")
        return insights.Filters(
            start=first,
            end=max(first, min(insights.month_end(last), today)),
            program_ids=(program.pk,) if program else (),
            department=data.get("department") or "",
        )


@login_required
@require_safe
def insights_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_insights(request.user)
    # Last night's counts where they fit the view, else counted now (same suppression).
    overall = insights.insight_snapshot_get(program_id=None)
    form = InsightFilterForm(
        request.GET or None, departments=overall.departments if overall else None
    )
    filters = insights.with_minimum(form.filters())
    counts = (
        insights.insight_snapshot_get(program_id=filters.program_ids[0])
        if filters.program_ids
        else overall
    )
    export = request.GET.get("export", "")
    if export:
        if export not in EXPORTS:
            raise Http404
        return _export(request, export, filters, counts)
    months = insights.activity_for(filters)
    engagement = insights.engagement(filters, months)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "form": form,
        "filters": filters,
        "participation": insights.participation(filters, counts),
        "engagement": engagement,
        "months_chart": column_chart(
            [
                (
                    date_format(row.month, "M Y"),
                    row.held,
                    "\u2013" if row.held is None else str(row.held),
                )
                for row in engagement.months
            ]
        ),
        "satisfaction": insights.satisfaction(filters, months),
        "diversity": insights.diversity(filters, counts),
        "outcomes": insights.outcomes(filters, counts),
        "counted_at": counts.computed_at if counts else None,
        "live_programs": months.live_programs,
        "export_query": query.urlencode(),
        "last_import": OutcomeImport.objects.select_related("uploaded_by").first(),
    }
    template = "mentoring/insights.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _export(
    request: HttpRequest, table: str, filters: insights.Filters, counts: insights.Counts | None
) -> HttpResponse:
    """One section of the dashboard as CSV, computed as for the page."""
    response, writer = csv_download(
        request,
        filename=f"{table}-{filters.start}-{filters.end}.csv",
        export=f"insights_{table}",
        detail={"filters": request.GET.urlencode()[:500]},
    )
    if table == "outcomes":
        _outcomes_rows(writer, insights.outcomes(filters, counts))
    elif table == "participation":
        result = insights.participation(filters, counts)
        writer.writerow(["group", "item", "count"])
        writer.writerow(["programs", "programs", result.programs])
        for label, count in result.roles:
            writer.writerow(["role", label, _blank(count)])
        for label, count in result.statuses:
            writer.writerow(["status", label, _blank(count)])
        for label, count in (
            ("active", result.mentorships_active),
            ("completed", result.mentorships_completed),
            ("ended early", result.mentorships_ended_early),
        ):
            writer.writerow(["pairs", label, _blank(count)])
    elif table == "engagement":
        writer.writerow(["month", "pairs_that_met", "check_ins_held"])
        for row in insights.engagement(filters).months:
            writer.writerow([f"{row.month:%Y-%m}", _blank(row.pairs), _blank(row.held)])
    elif table == "satisfaction":
        months = insights.activity_for(filters)
        engagement = insights.engagement(filters, months)
        satisfaction = insights.satisfaction(filters, months)
        writer.writerow(["measure", "value", "based_on", "unit"])
        writer.writerow(["people_at_events", _blank(engagement.events_attended), "", "people"])
        writer.writerow(
            [
                "average_checkin_rating_1_5",
                _blank(satisfaction.rating),
                _blank(satisfaction.rating_pairs),
                "pairs that rated in the busiest month",
            ]
        )
        writer.writerow(
            ["survey_nps", _blank(satisfaction.nps), _blank(satisfaction.nps_answers), "answers"]
        )
    else:
        diversity = insights.diversity(filters, counts)
        writer.writerow(["breakdown", "group", "people"])
        writer.writerow(["consented", "all", _blank(diversity.consented)])
        for breakdown, rows in (("gender", diversity.gender), ("ethnicity", diversity.ethnicity)):
            for label, count in rows:
                writer.writerow([breakdown, label, _blank(count)])
    return response


def _outcomes_rows(writer: Any, result: insights.Outcomes) -> None:
    """The outcome tables as shown: hidden cells stay hidden."""
    writer.writerow(
        ["measure", "department", "group", "people", "rate_percent", "ci95_low", "ci95_high"]
    )
    for measure, rows in (("retention", result.retention), ("promotion", result.promotion)):
        for row in rows:
            for group, rate in (
                ("participants", row.participants),
                ("non-participants", row.others),
            ):
                writer.writerow(
                    [
                        measure,
                        row.label,
                        group,
                        _blank(rate.n),
                        _blank(rate.percent),
                        _blank(rate.low_percent),
                        _blank(rate.high_percent),
                    ]
                )
    for measure, standardised in (
        ("retention", result.retention_standardised),
        ("promotion", result.promotion_standardised),
    ):
        if standardised is not None:
            writer.writerow(
                [
                    measure,
                    "all departments",
                    "non-participants, same department mix",
                    _blank(standardised.n),
                    _blank(standardised.percent),
                    _blank(standardised.low_percent),
                    _blank(standardised.high_percent),
                ]
            )


class OutcomeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = access_insights(request.user)
    form = OutcomeUploadForm()
    checked = None
    if request.method == "POST":
        form = OutcomeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            checked = outcomes.outcomes_check(upload.read(outcomes.MAX_FILE_BYTES + 1))
            if checked.ok:
                result = outcomes.outcomes_apply(
                    checked=checked, file_name=upload.name or "", by=user
                )
                transaction.on_commit(snapshot_insights_task.delay)
                messages.success(
                    request,
                    _(
                        "Outcome data replaced: %(employees)d employees, %(leavers)d who left, "
                        "%(promotions)d promotions."
                    )
                    % {
                        "employees": result.employees,
                        "leavers": result.leavers,
                        "promotions": result.promotions,
                    },
                )
                return redirect("insights_dashboard")
    context = {
        "form": form,
        "checked": checked,
        "template": outcomes.TEMPLATE,
        "max_rows": outcomes.MAX_ROWS,
        "imports": OutcomeImport.objects.select_related("uploaded_by")[:5],
    }
    return render(request, "mentoring/outcome_import.html", context)
