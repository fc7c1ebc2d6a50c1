from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # programs shows events on the home page and in each person's calendar feed
        # without importing this app: it reads the sources registered here.
        from events.selectors import event_home_list
        from programs import ics, pages

        pages.home_source_register("events", event_home_list)
        ics.feed_source_register("events.selectors.event_feed_components", first=True)
