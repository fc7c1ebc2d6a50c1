"""Events, under their program's address (/programs/<id>/events/...)."""

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("<int:program_id>/events/", views.event_list, name="event_list"),
    path("<int:program_id>/events/new/", views.event_create, name="event_create"),
    path("<int:program_id>/events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("<int:program_id>/events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path(
        "<int:program_id>/events/<int:event_id>/cancel/",
        views.event_cancel,
        name="event_cancel",
    ),
    path("<int:program_id>/events/<int:event_id>/rsvp/", views.event_rsvp, name="event_rsvp"),
    path(
        "<int:program_id>/events/<int:event_id>/attendance/",
        views.event_attendance,
        name="event_attendance",
    ),
    path("<int:program_id>/events/<int:event_id>/event.ics", views.event_ics, name="event_ics"),
]
