from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from programs import home
        from programs.resources import resource_home_list

        home.home_source_register(
            "resources",
            lambda *, user, participations, limit: resource_home_list(
                participations=participations, limit=limit
            ),
        )
