"""The private calendar feed: each person's events and check-ins as one subscribable
address.

The feed itself is read by calendar programs, which have no session: the random
token in the address is the only credential, so it is long, stored per person, and
can be reset (which retires the old address at once). A wrong token is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from mentoring.emails import absolute_url
from mentoring.http import AuthenticatedHttpRequest, login_required
from programs import calendar, ics


def feed_url(token: str) -> str:
    return absolute_url(reverse("programs:calendar_feed", args=[token]))


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the person's feed address; POST makes a new one (the old stops working)."""
    user = request.user
    if request.method == "POST":
        calendar.calendar_feed_reset(user=user)
        messages.success(
            request, _("Your calendar link is new. The old link no longer works anywhere.")
        )
        return redirect("programs:calendar_feed_manage")
    feed = calendar.calendar_feed_get(user=user)
    url = feed_url(feed.token)
    context = {"feed": feed, "url": url, "webcal_url": "webcal://" + url.split("://", 1)[-1]}
    return render(request, "programs/calendar_feed.html", context)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics feed, for calendar programs: authenticated by its token alone."""
    user = calendar.calendar_feed_user(token=token)
    if user is None:
        raise Http404
    response = HttpResponse(
        ics.calendar_feed_build(user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    # The address is the secret: keep it out of referrers and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
