from django.contrib import admin

from events.models import Event, EventRsvp


class EventRsvpInline(admin.TabularInline):
    model = EventRsvp
    extra = 0
    raw_id_fields = ("user",)
    # Answers change through the waiting-list service, which keeps the count right.
    readonly_fields = ("status", "waitlisted_at", "status_changed_at", "reminded_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "kind", "starts_at", "capacity", "status")
    list_filter = ("kind", "status", "audience")
    search_fields = ("title",)
    list_select_related = ("program",)
    raw_id_fields = ("program", "created_by")
    readonly_fields = ("uid", "sequence", "cancelled_at")
    inlines = (EventRsvpInline,)
