from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairsConfig(AppConfig):
    name = "pairs"
    verbose_name = _("Pairs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # programs announces what involves pairs as signals (it must not import this
        # app); the receivers do the pairs' part. Check-ins join the calendar feed.
        from pairs import receivers  # noqa: F401
        from programs import ics

        ics.feed_source_register("pairs.checkins.calendar.checkin_feed_components")
