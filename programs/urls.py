from django.urls import path

from programs.views import (
    calendar,
    enrolment,
    imports,
    participants,
    profiles,
    programs,
    questions,
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

# The calendar feed (issue 6; guides and events are in guides/urls.py, events/urls.py) ---
urlpatterns += [
    path("calendar/", calendar.calendar_feed_manage, name="calendar_feed_manage"),
    path("calendar/feed/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
