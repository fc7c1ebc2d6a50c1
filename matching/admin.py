from django.contrib import admin

from matching.models import (
    MatchCriterion,
    MatchProposal,
    MatchRequest,
    MatchRun,
    MatchSettings,
    PairRule,
)


@admin.register(MatchSettings)
class MatchSettingsAdmin(admin.ModelAdmin):
    list_display = ("program", "objective", "self_match", "updated_at")
    raw_id_fields = ("program", "updated_by")


@admin.register(MatchCriterion)
class MatchCriterionAdmin(admin.ModelAdmin):
    list_display = ("program", "field", "rule", "weight", "position")
    list_filter = ("rule", "weight")
    raw_id_fields = ("program",)


@admin.register(PairRule)
class PairRuleAdmin(admin.ModelAdmin):
    list_display = ("program", "mentee", "mentor", "kind", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("program", "mentee", "mentor", "created_by")


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    """Runs are made and published from the coordinator's pages; here they are read-only."""

    list_display = ("pk", "program", "status", "objective", "created_at", "published_at")
    list_filter = ("status", "objective")
    list_select_related = ("program",)
    readonly_fields = [f.name for f in MatchRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(MatchProposal)
class MatchProposalAdmin(admin.ModelAdmin):
    list_display = ("run", "mentee", "mentor", "score", "unmatched_reason", "pinned", "edited")
    list_filter = ("unmatched_reason", "pinned", "edited")
    raw_id_fields = ("run", "mentee", "mentor", "mentorship")


@admin.register(MatchRequest)
class MatchRequestAdmin(admin.ModelAdmin):
    list_display = ("program", "mentee", "mentor", "rank", "state", "expires_at")
    list_filter = ("state",)
    raw_id_fields = ("program", "mentee", "mentor", "mentorship")
