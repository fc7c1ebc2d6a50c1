from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("notifications/", views.chat_preference, name="chat_preference"),
    path(
        "programs/<int:program_id>/",
        views.program_integrations,
        name="program_integrations",
    ),
    path(
        "programs/<int:program_id>/webhooks/<int:endpoint_id>/",
        views.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "programs/<int:program_id>/webhooks/<int:endpoint_id>/secret/",
        views.webhook_secret_rotate,
        name="webhook_secret_rotate",
    ),
    path(
        "programs/<int:program_id>/webhooks/<int:endpoint_id>/active/",
        views.webhook_activate,
        name="webhook_activate",
    ),
    path(
        "programs/<int:program_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/",
        views.webhook_replay,
        name="webhook_replay",
    ),
    path("programs/<int:program_id>/chat/", views.chat_channel_add, name="chat_channel_add"),
    path(
        "programs/<int:program_id>/chat/<int:channel_id>/remove/",
        views.chat_channel_remove,
        name="chat_channel_remove",
    ),
]
