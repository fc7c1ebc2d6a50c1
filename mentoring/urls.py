from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from integrations.api import api
from mentoring import home, notification_views, views, views_audit
from mentoring.sso import views as sso_views
from privacy import views as views_data_rights
from reports.views import dashboards as views_dashboards
from reports.views import insights as views_insights

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("insights/", views_insights.insights_dashboard, name="insights_dashboard"),
    path("insights/outcomes/", views_insights.outcome_import, name="outcome_import"),
    # allauth's OpenID Connect callback, with the ID token's signature always checked.
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        sso_views.oidc_callback,
        name="sso_oidc_callback",
    ),
    path("accounts/sso/link/", sso_views.sso_link_confirm, name="sso_link_confirm"),
    path("accounts/sso/reauthenticate/", sso_views.sso_reauthenticate, name="sso_reauthenticate"),
    path(
        "accounts/sso/reauthenticate/done/",
        sso_views.sso_reauthenticate_done,
        name="sso_reauthenticate_done",
    ),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path(
        "audit/deletion-requests/",
        views_data_rights.erasure_request_list,
        name="erasure_request_list",
    ),
    path(
        "audit/deletion-requests/<int:request_id>/carry-out/",
        views_data_rights.erasure_request_execute,
        name="erasure_request_execute",
    ),
    # Data rights: under the account area, before allauth's own addresses.
    path("accounts/data/", views_data_rights.personal_data, name="personal_data"),
    path(
        "accounts/data/download/",
        views_data_rights.personal_data_download,
        name="personal_data_download",
    ),
    path("accounts/data/delete/", views_data_rights.erasure_request, name="erasure_request"),
    path("accounts/data/delete/cancel/", views_data_rights.erasure_cancel, name="erasure_cancel"),
    path(
        "accounts/data/delete/confirm/<str:token>/",
        views_data_rights.erasure_confirm,
        name="erasure_confirm",
    ),
    path("accounts/data/deleted/", views_data_rights.erasure_done, name="erasure_done"),
    path("accounts/", include("allauth.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/v1/", api.urls),
    # Program dashboards read every app, so they live here, under the program's address.
    path(
        "programs/<int:program_id>/dashboard/",
        views_dashboards.program_dashboard,
        name="program_dashboard",
    ),
    path(
        "programs/<int:program_id>/dashboard/report/",
        views_dashboards.program_report,
        name="program_report",
    ),
    path(
        "programs/<int:program_id>/dashboard/refresh/",
        views_dashboards.program_dashboard_refresh,
        name="program_dashboard_refresh",
    ),
    path(
        "programs/<int:program_id>/dashboard/pairs/<int:mentorship_id>/nudge/",
        views_dashboards.pair_nudge,
        name="pair_nudge",
    ),
    path("programs/", include("programs.urls")),
    path("programs/", include("events.urls")),
    path("programs/", include("guides.urls")),
    path("programs/", include("pairs.urls")),
    path("matching/", include("matching.urls")),
    path("surveys/", include("surveys.urls")),
    path(
        "notifications/",
        notification_views.notification_preferences_view,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Preview the error pages while developing (production renders them itself).
    urlpatterns += [
        path("__errors__/403/", TemplateView.as_view(template_name="403.html")),
        path("__errors__/404/", TemplateView.as_view(template_name="404.html")),
        path("__errors__/500/", TemplateView.as_view(template_name="500.html")),
    ]
