from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairsConfig(AppConfig):
    name = "pairs"
    verbose_name = _("Pairs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # programs announces what it did as signals (it must not import this app), and
        # takes the pairs' parts of its pages and feed from registries.
        from pairs import receivers
        from programs import ics, pages

        pages.goal_measurer_register(receivers.measure_program_goals)
        pages.overview_part_register(receivers.pairs_on_program_overview)
        ics.feed_source_register("pairs.checkins.calendar.checkin_feed_components")
