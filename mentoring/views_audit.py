"""The audit log page: site admins only, filtered and paginated."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mentoring.access import access_audit_log
from mentoring.http import AuthenticatedHttpRequest, login_required
from mentoring.models import AuditEvent
from mentoring.validators import SensibleDateField

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("Any event")), *AuditEvent.Action.choices]
    )
    actor = forms.CharField(label=_("Person (email)"), required=False, max_length=254)
    start = SensibleDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = SensibleDateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def events(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.all()
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["actor"]:
            events = events.filter(actor_email__icontains=data["actor"].strip())
        zone = timezone.get_current_timezone()
        if data["start"]:
            events = events.filter(at__gte=dt.datetime.combine(data["start"], dt.time(), zone))
        if data["end"]:
            day_after = data["end"] + dt.timedelta(days=1)
            events = events.filter(at__lt=dt.datetime.combine(day_after, dt.time(), zone))
        return events


@login_required
@require_safe
def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    access_audit_log(request.user)
    form = AuditFilterForm(request.GET or None)
    page = Paginator(form.events(), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query}
    template = "mentoring/audit_log.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)
