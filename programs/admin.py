from django.contrib import admin
from django.http import HttpRequest

from programs.models import (
    CalendarFeed,
    Participant,
    ParticipantImport,
    Profile,
    ProfileQuestion,
    Program,
    ProgramGoal,
    ProgramStateChange,
)


class ProgramGoalInline(admin.TabularInline):
    model = ProgramGoal
    extra = 0


class ProgramStateChangeInline(admin.TabularInline):
    model = ProgramStateChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "changed_by", "changed_at")

    def has_add_permission(self, request: HttpRequest, obj: Program | None = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "state", "starts_on", "ends_on", "is_evergreen", "created_at")
    list_filter = ("state", "format")
    search_fields = ("name",)
    filter_horizontal = ("coordinators",)
    # State changes go through programs.services.program_transition (audited).
    readonly_fields = ("state", "state_changed_at", "join_token", "created_by")
    inlines = (ProgramGoalInline, ProgramStateChangeInline)


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "program", "role", "status", "profile_completed_at")
    list_filter = ("role", "status", "program")
    search_fields = ("email", "full_name")
    raw_id_fields = ("user", "invited_by")
    list_select_related = ("program",)
    readonly_fields = ("invite_nonce", "invite_expires_at")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "job_title", "department", "seniority")
    search_fields = ("user__email", "user__full_name", "department")
    raw_id_fields = ("user",)
    # Self-described demographics stay out of the admin list and search on purpose.
    exclude = ("gender", "ethnicity", "demographics_consent_at")


@admin.register(ProfileQuestion)
class ProfileQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "program", "kind", "audience", "is_required", "is_matching_input")
    list_filter = ("kind", "audience")


@admin.register(ParticipantImport)
class ParticipantImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "program", "status", "total_rows", "applied_count", "created_at")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = ("problems", "notices")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    # The token is a credential: people reset it themselves; the admin never shows it.
    exclude = ("token",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
