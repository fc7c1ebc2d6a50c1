"""The pairs app's pages, mounted under programs/ (their addresses are unchanged)."""

from django.urls import path

from pairs.views import mentorships, pairs, workspace

app_name = "pairs"

urlpatterns: list = []

# Mentorships (issue 4) ---------------------------------------------------------------
urlpatterns += [
    path(
        "<int:program_id>/mentorships/<int:mentorship_id>/end/",
        mentorships.mentorship_end_view,
        name="mentorship_end",
    ),
]

# Mentorship workspace (issue 5) ----------------------------------------------------
urlpatterns += [
    path("<int:program_id>/pairs/", pairs.pair_list, name="pair_list"),
    path("<int:program_id>/pairs.csv", pairs.pair_export, name="pair_export"),
    path("mentorships/<int:mentorship_id>/", workspace.workspace_view, name="workspace"),
    path(
        "mentorships/<int:mentorship_id>/agreement/",
        workspace.agreement_update,
        name="agreement_update",
    ),
    path(
        "mentorships/<int:mentorship_id>/agreement/accept/",
        workspace.agreement_accept,
        name="agreement_accept",
    ),
    path(
        "mentorships/<int:mentorship_id>/goals/",
        workspace.pair_goal_create,
        name="pair_goal_create",
    ),
    path(
        "mentorships/<int:mentorship_id>/goals/<int:goal_id>/",
        workspace.pair_goal_update,
        name="pair_goal_update",
    ),
    path(
        "mentorships/<int:mentorship_id>/goals/<int:goal_id>/milestones/",
        workspace.milestone_create,
        name="milestone_create",
    ),
    path(
        "mentorships/<int:mentorship_id>/milestones/<int:milestone_id>/toggle/",
        workspace.milestone_toggle,
        name="milestone_toggle",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/propose/",
        workspace.checkin_propose,
        name="checkin_propose",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/log/",
        workspace.checkin_log_past,
        name="checkin_log_past",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/<int:checkin_id>/accept/",
        workspace.checkin_accept,
        name="checkin_accept",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/<int:checkin_id>/reschedule/",
        workspace.checkin_reschedule,
        name="checkin_reschedule",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/<int:checkin_id>/cancel/",
        workspace.checkin_cancel,
        name="checkin_cancel",
    ),
    path(
        "mentorships/<int:mentorship_id>/checkins/<int:checkin_id>/log/",
        workspace.checkin_log,
        name="checkin_log",
    ),
    path("checkins/answer/<str:token>/", workspace.checkin_log_link, name="checkin_log_link"),
]
