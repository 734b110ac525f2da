from django.urls import path

from . import views

app_name = "fieldwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("courses/<int:course_id>/", views.course_summary, name="course"),
    path("courses/<int:course_id>/new/", views.entry_new, name="entry_new"),
    path("courses/<int:course_id>/autosave/", views.entry_autosave_new, name="autosave_new"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/autosave/", views.entry_autosave, name="autosave"),
    path("entries/<int:pk>/correction/", views.entry_correction, name="correction"),
    path("entries/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path(
        "attachments/<int:pk>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"
    ),
    path("attachments/<int:pk>/delete/", views.attachment_remove, name="attachment_delete"),
    path("confirm/<path:token>/", views.supervisor, name="supervisor"),
]
