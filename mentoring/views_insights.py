"""HR's pages: the cross-program dashboard and the outcome file import.

For HR viewers and site staff only (403 for everyone else signed in). Every number
is an aggregate that went through small-group suppression (mentoring.insights).
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from mentoring import insights, outcomes
from mentoring.audit import audit_record
from mentoring.models import AuditEvent, EmployeeRecord, OutcomeImport, User
from programs.models import Participant, Program


def _hr(request: HttpRequest) -> User:
    user = cast(User, request.user)
    if not (user.is_hr_viewer or user.is_staff):
        raise PermissionDenied
    return user


class InsightFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.exclude(state=Program.State.DRAFT).order_by("name"),
        required=False,
        empty_label=gettext_lazy("All programs"),
    )
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = sorted(
            set(EmployeeRecord.objects.exclude(department="").values_list("department", flat=True))
            | set(Participant.objects.exclude(department="").values_list("department", flat=True))
        )
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("All departments")),
            *[(d, d) for d in departments],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The end must be after the start."))
        return data

    def filters(self) -> insights.Filters:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=365)
        program = data.get("program")
        return insights.Filters(
            start=start,
            end=end,
            program_ids=(program.pk,) if program else (),
            department=data.get("department") or "",
        )


@login_required
@require_safe
def insights_dashboard(request: HttpRequest) -> HttpResponse:
    _hr(request)
    form = InsightFilterForm(request.GET or None)
    filters = form.filters()
    result = insights.outcomes(filters)
    if request.GET.get("export") == "outcomes":
        audit_record(
            action=AuditEvent.Action.EXPORT,
            request=request,
            detail={"export": "insights_outcomes", "filters": request.GET.urlencode()[:500]},
        )
        return _outcomes_csv(result, filters)
    context = {
        "form": form,
        "filters": filters,
        "participation": insights.participation(filters),
        "engagement": insights.engagement(filters),
        "satisfaction": insights.satisfaction(filters),
        "diversity": insights.diversity(filters),
        "outcomes": result,
        "last_import": OutcomeImport.objects.select_related("uploaded_by").first(),
    }
    template = "mentoring/insights.html"
    if getattr(request, "htmx", False):
        template += "#results"
    return render(request, template, context)


def _outcomes_csv(result: insights.Outcomes, filters: insights.Filters) -> HttpResponse:
    """The outcome tables as shown: hidden cells stay hidden."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{filters.start}-{filters.end}.csv"'
    )
    writer = csv.writer(response)
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
                        "" if rate.n is None else rate.n,
                        "" if rate.percent is None else rate.percent,
                        "" if rate.low_percent is None else rate.low_percent,
                        "" if rate.high_percent is None else rate.high_percent,
                    ]
                )
    return response


class OutcomeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_import(request: HttpRequest) -> HttpResponse:
    user = _hr(request)
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
