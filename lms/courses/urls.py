from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("mypage/", views.dashboard, name="dashboard"),
    path("courses/<int:course_id>/enroll/", views.enroll, name="enroll"),
    path("courses/<int:course_id>/continue/", views.continue_course, name="continue"),
    path("enrollments/<int:enrollment_id>/withdraw/", views.withdraw, name="withdraw"),
    path("lessons/<int:lesson_id>/complete/", views.complete_lesson, name="complete_lesson"),
]
