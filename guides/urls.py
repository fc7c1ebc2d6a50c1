"""Guides, under their program's address (/programs/<id>/resources/...)."""

from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    path("<int:program_id>/resources/", views.resource_list, name="resource_list"),
    path("<int:program_id>/resources/new/", views.resource_create, name="resource_create"),
    path(
        "<int:program_id>/resources/starter/",
        views.resource_starter_add,
        name="resource_starter_add",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/",
        views.resource_detail,
        name="resource_detail",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/edit/",
        views.resource_edit,
        name="resource_edit",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/delete/",
        views.resource_delete,
        name="resource_delete",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/move/",
        views.resource_move,
        name="resource_move",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/publish/",
        views.resource_publish,
        name="resource_publish",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/files/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "<int:program_id>/resources/<int:resource_id>/files/<int:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
]
