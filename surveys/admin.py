from django.contrib import admin

from surveys.models import Question, Survey


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "text", "kind", "is_required", "audience"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Surveys and their questions. Invitations and answers are not listed here: an
    anonymous survey's answers must stay unattributable, in the admin too."""

    list_display = ["title", "program", "state", "trigger", "is_anonymous", "closes_at"]
    list_filter = ["state", "is_anonymous", "trigger"]
    search_fields = ["title", "program__name"]
    readonly_fields = ["state", "published_at", "closed_at"]
    inlines = [QuestionInline]
