from django.urls import path

from programs.views import (
    calendar,
    enrolment,
    events,
    imports,
    participants,
    profiles,
    programs,
    questions,
    resources,
)

app_name = "programs"

urlpatterns = [
    # Coordinators (and read-only HR) ------------------------------------------------
    path("", programs.program_list, name="program_list"),
    path("new/", programs.program_create, name="program_create"),
    path("<int:program_id>/", programs.program_overview, name="program_overview"),
    path("<int:program_id>/edit/", programs.program_edit, name="program_edit"),
    path("<int:program_id>/state/", programs.program_transition, name="program_transition"),
    path("<int:program_id>/goals/", programs.goal_list, name="goal_list"),
    path("<int:program_id>/goals/<int:goal_id>/delete/", programs.goal_delete, name="goal_delete"),
    path(
        "<int:program_id>/coordinators/",
        programs.coordinator_list,
        name="coordinator_list",
    ),
    path("<int:program_id>/join-link/", programs.join_link_update, name="join_link_update"),
    path("<int:program_id>/participants/", participants.participant_list, name="participant_list"),
    path(
        "<int:program_id>/participants/invite/",
        participants.participant_invite,
        name="participant_invite",
    ),
    path(
        "<int:program_id>/participants/remind/",
        participants.profile_reminders_send,
        name="profile_reminders_send",
    ),
    path(
        "<int:program_id>/participants/<int:participant_id>/status/",
        participants.participant_status,
        name="participant_status",
    ),
    path(
        "<int:program_id>/participants/<int:participant_id>/resend/",
        participants.participant_resend,
        name="participant_resend",
    ),
    path("<int:program_id>/imports/new/", imports.import_upload, name="import_upload"),
    path("<int:program_id>/imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    path(
        "<int:program_id>/imports/<int:import_id>/apply/",
        imports.import_apply,
        name="import_apply",
    ),
    path("<int:program_id>/questions/", questions.question_list, name="question_list"),
    path(
        "<int:program_id>/questions/reorder/",
        questions.question_reorder,
        name="question_reorder",
    ),
    path(
        "<int:program_id>/questions/<int:question_id>/edit/",
        questions.question_edit,
        name="question_edit",
    ),
    path(
        "<int:program_id>/questions/<int:question_id>/delete/",
        questions.question_delete,
        name="question_delete",
    ),
    # Participants ----------------------------------------------------------------------
    path("invitations/<str:token>/", enrolment.invitation_accept, name="invitation_accept"),
    path("join/<int:program_id>/<str:token>/", enrolment.join_by_link, name="join_by_link"),
    path("profile/", profiles.profile_edit, name="profile_edit"),
    path(
        "<int:program_id>/my-profile/",
        profiles.participant_profile,
        name="participant_profile",
    ),
]

# Resources and events (issue 6) ------------------------------------------------------
urlpatterns += [
    path("<int:program_id>/resources/", resources.resource_list, name="resource_list"),
    path("<int:program_id>/resources/new/", resources.resource_create, name="resource_create"),
    path(
        "<int:program_id>/resources/starter/",
        resources.resource_starter_add,
        name="resource_starter_add",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/",
        resources.resource_detail,
        name="resource_detail",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/edit/",
        resources.resource_edit,
        name="resource_edit",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/delete/",
        resources.resource_delete,
        name="resource_delete",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/move/",
        resources.resource_move,
        name="resource_move",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/publish/",
        resources.resource_publish,
        name="resource_publish",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/files/<int:attachment_id>/",
        resources.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/files/<int:attachment_id>/delete/",
        resources.attachment_delete,
        name="attachment_delete",
    ),
    path("<int:program_id>/events/", events.event_list, name="event_list"),
    path("<int:program_id>/events/new/", events.event_create, name="event_create"),
    path("<int:program_id>/events/<int:event_id>/", events.event_detail, name="event_detail"),
    path("<int:program_id>/events/<int:event_id>/edit/", events.event_edit, name="event_edit"),
    path(
        "<int:program_id>/events/<int:event_id>/cancel/",
        events.event_cancel,
        name="event_cancel",
    ),
    path("<int:program_id>/events/<int:event_id>/rsvp/", events.event_rsvp, name="event_rsvp"),
    path(
        "<int:program_id>/events/<int:event_id>/attendance/",
        events.event_attendance,
        name="event_attendance",
    ),
    path("<int:program_id>/events/<int:event_id>/event.ics", events.event_ics, name="event_ics"),
    path("calendar/", calendar.calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
