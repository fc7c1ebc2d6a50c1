from django.contrib import admin
from django.http import HttpRequest

from pairs.models import Mentorship, MentorshipStateChange


class MentorshipStateChangeInline(admin.TabularInline):
    model = MentorshipStateChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "reason", "changed_by", "changed_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin):
    """Pairs, read-mostly: state changes go through the services (and their audit rows)."""

    list_display = ("pk", "program", "mentor", "mentee", "state", "source", "score", "started_at")
    list_filter = ("state", "source", "end_reason")
    list_select_related = ("program", "mentor", "mentee")
    search_fields = ("mentor__email", "mentee__email", "mentor__full_name", "mentee__full_name")
    raw_id_fields = ("program", "mentor", "mentee", "ended_by")
    readonly_fields = ("state", "started_at", "ended_at", "ended_by", "end_reason", "explanation")
    inlines = (MentorshipStateChangeInline,)
