from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from mentoring import views, views_audit, views_insights

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("insights/", views_insights.insights_dashboard, name="insights_dashboard"),
    path("insights/outcomes/", views_insights.outcome_import, name="outcome_import"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("accounts/", include("allauth.urls")),
    path("programs/", include("programs.urls")),
    path("matching/", include("matching.urls")),
    path("surveys/", include("surveys.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Preview the error pages while developing (production renders them itself).
    urlpatterns += [
        path("__errors__/403/", TemplateView.as_view(template_name="403.html")),
        path("__errors__/404/", TemplateView.as_view(template_name="404.html")),
        path("__errors__/500/", TemplateView.as_view(template_name="500.html")),
    ]
