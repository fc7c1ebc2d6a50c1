from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Programs and matching announce their changes as signals (they must not import
        # this app); the receivers turn them into webhook deliveries.
        from integrations import receivers  # noqa: F401
        from integrations.chat import chat_copy
        from mentoring.notifications import notification_channel_register

        # People who asked for it get their reminders in the program's chat too.
        notification_channel_register(chat_copy)
