from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("<int:quiz_id>/", views.quiz_start_page, name="quiz"),
    path("<int:quiz_id>/start/", views.quiz_start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/save/", views.answer_save, name="save"),
    path("attempts/<int:attempt_id>/finish/", views.attempt_finish, name="finish"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="result"),
]
