"""Who may open the site-wide pages: the audit log and deletion requests (site admins),
cross-program insights (HR viewers and site admins) and HR's survey overview (HR
viewers only). Everyone else signed in gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from mentoring.models import ErasureRequest, User


def access_audit_log(user: User) -> User:
    """The audit log is for site admins."""
    if not (user.is_active and user.is_staff):
        raise PermissionDenied
    return user


def access_erasure_request(user: User, request_id: int) -> ErasureRequest:
    """Deletion requests are for site admins: 403 to others, 404 for an unknown id."""
    access_audit_log(user)
    found = ErasureRequest.objects.select_related("user").filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found


def access_insights(user: User) -> User:
    """Aggregates across programs (insights, outcome data): HR viewers and site admins."""
    if not (user.is_hr_viewer or user.is_staff):
        raise PermissionDenied
    return user


def access_hr(user: User) -> User:
    """Survey figures across programs: HR viewers only (site admins run the site, they
    do not read its survey results)."""
    if not user.is_hr_viewer:
        raise PermissionDenied
    return user
