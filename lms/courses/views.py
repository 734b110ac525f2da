"""Trainee-facing views: enroll, withdraw, lesson access and progress, the dashboard.

Thin: parse the request, call a service or selector, redirect or render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .models import Cohort, CoursePage, Enrollment, LessonPage


def lesson_serve(request, lesson, *, super_serve, args, kwargs):
    """Serve a lesson to those who may read it; everyone else sees how to enroll."""
    access = selectors.lesson_access(request.user, lesson)
    if not access.can_view:
        context = {
            "page": lesson,
            "self": lesson,
            "course": access.course,
            "enrollment": access.enrollment,
            "request": request,
        }
        return TemplateResponse(request, "pages/lesson_locked.html", context, status=403)
    if access.enrollment is not None:
        services.lesson_visit(enrollment=access.enrollment, lesson=lesson)
    request.lesson_access = access
    return super_serve(request, *args, **kwargs)


@require_POST
@login_required
def enroll(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    cohort = None
    if request.POST.get("cohort"):
        cohort = get_object_or_404(Cohort, pk=request.POST["cohort"], course=course)
    try:
        enrollment = services.enrollment_create(user=request.user, course=course, cohort=cohort)
    except services.EnrollmentError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _status_message(enrollment))
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(course.get_url(request))


def _status_message(enrollment):
    Status = Enrollment.Status
    return {
        Status.ACTIVE: _("You are enrolled. Welcome to the course!"),
        Status.PENDING: _("Your application has been sent. An instructor will review it."),
        Status.WAITLISTED: _("The cohort is full. You are on the waiting list."),
    }.get(enrollment.status, _("Your enrollment has been updated."))


@require_POST
@login_required
def withdraw(request, enrollment_id):
    enrollment = get_object_or_404(Enrollment, pk=enrollment_id, user=request.user)
    try:
        services.enrollment_withdraw(enrollment=enrollment, actor=request.user)
    except services.EnrollmentError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("You have withdrawn from the course."))
    return redirect("courses:dashboard")


@require_POST
@login_required
def complete_lesson(request, lesson_id):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    access = selectors.lesson_access(request.user, lesson)
    if access.enrollment is None or not access.enrollment.is_active:
        return TemplateResponse(
            request,
            "pages/lesson_locked.html",
            {"page": lesson, "course": access.course, "enrollment": access.enrollment},
            status=403,
        )
    services.lesson_complete(enrollment=access.enrollment, lesson=lesson)
    messages.success(request, _("Lesson marked as complete."))
    outline = selectors.course_outline(access.course)
    _previous, following = outline.neighbours(lesson)
    target = following or lesson
    return redirect(target.get_url(request))


@require_GET
@login_required
def continue_course(request, course_id):
    """「続きから」: the first lesson not yet completed, or the last one viewed."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    enrollment = get_object_or_404(
        Enrollment, user=request.user, course=course, status__in=Enrollment.SEATED
    )
    progress = selectors.enrollment_progress(enrollment, selectors.course_outline(course))
    if progress.next_lesson is None:
        return redirect(course.get_url(request))
    return redirect(progress.next_lesson.get_url(request))


@require_GET
@login_required
def dashboard(request):
    """マイページ: my courses with progress, the next lesson, and what is pending."""
    rows = selectors.dashboard_rows(request.user)
    return TemplateResponse(request, "lms/courses/dashboard.html", {"rows": rows})
