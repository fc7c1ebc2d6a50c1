from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    # Coordinators ------------------------------------------------------------------
    path("program/<int:program_id>/", views.survey_list, name="survey_list"),
    path("program/<int:program_id>/new/", views.survey_create, name="survey_create"),
    path("program/<int:program_id>/<int:survey_id>/", views.survey_builder, name="survey_builder"),
    path(
        "program/<int:program_id>/<int:survey_id>/questions/",
        views.question_add,
        name="question_add",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/questions/<int:question_id>/",
        views.question_edit,
        name="question_edit",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="question_move",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/schedule/",
        views.survey_schedule,
        name="survey_schedule",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/publish/",
        views.survey_publish,
        name="survey_publish",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/close/", views.survey_close, name="survey_close"
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/delete/",
        views.survey_delete,
        name="survey_delete",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/results/",
        views.survey_results,
        name="survey_results",
    ),
    path(
        "program/<int:program_id>/<int:survey_id>/results.csv",
        views.survey_export,
        name="survey_export",
    ),
    # HR ----------------------------------------------------------------------------
    path("hr/", views.hr_overview, name="hr_overview"),
    # People answering, by one-time link (no sign-in) ---------------------------------
    path("answer/<int:survey_id>/thanks/", views.survey_thanks, name="survey_thanks"),
    path("answer/<int:survey_id>/<str:token>/", views.survey_answer, name="survey_answer"),
]
