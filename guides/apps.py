from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidesConfig(AppConfig):
    name = "guides"
    verbose_name = _("Guides")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # programs shows guides on the home page and starts each new program with the
        # starter set without importing this app: it reads the source registered here
        # and sends program_created, which guides.receivers answers.
        from guides import receivers  # noqa: F401 - connects the receivers
        from guides.selectors import resource_home_list
        from programs import pages

        pages.home_source_register(
            "resources",
            lambda *, user, participations, limit: resource_home_list(
                participations=participations, limit=limit
            ),
        )
