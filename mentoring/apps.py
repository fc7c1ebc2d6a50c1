from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from mentoring import receivers  # noqa: F401  (connects the sign-in receivers)

        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            # kombu's filesystem transport needs its folders before the first send.
            for name in ("queue", "control", "processed"):
                (settings.BROKER_DIR / name).mkdir(parents=True, exist_ok=True)
