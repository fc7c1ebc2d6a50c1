from django.contrib import admin
from django.http import HttpRequest

from guides.models import Resource, ResourceAttachment


class ResourceAttachmentInline(admin.TabularInline):
    model = ResourceAttachment
    extra = 0
    # Uploads go through the coordinators' editor, which checks size and content.
    readonly_fields = ("name", "content_type", "size", "uploaded_by", "created_at")
    exclude = ("file",)

    def has_add_permission(self, request: HttpRequest, obj: Resource | None = None) -> bool:
        return False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "program", "audience", "position", "published_at")
    list_filter = ("audience",)
    search_fields = ("title",)
    list_select_related = ("program",)
    raw_id_fields = ("program", "created_by")
    inlines = (ResourceAttachmentInline,)
