from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from mentoring import receivers  # noqa: F401  (connects the sign-in receivers)

        if settings.CELERY_BROKER_URL.startswith("sqlite:"):
            # The embedded default's folder (its broker file, and its database unless
            # DATABASE_URL says otherwise) exists before the first send or query.
            settings.BROKER_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
