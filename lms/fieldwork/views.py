"""Trainee and supervisor views of fieldwork. Thin: a form, a service call, a response.

Who may see what is decided by the selectors' querysets: an id that is not yours (or not of
a course you teach) is a 404, never a peek. Attachments are only ever streamed from private
storage by ``attachment_file``, after that check.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lms.courses.models import Enrollment

from . import selectors, services
from .forms import AttachmentForm, CorrectionForm, EntryForm, SupervisorForm
from .models import FieldworkAttachment, FieldworkEntry, FieldworkEvent


def _active_enrollment(request, course_id) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.select_related("course", "cohort"),
        user=request.user,
        course_id=course_id,
        status__in=Enrollment.SEATED,
    )


def _own_entry(request, pk) -> FieldworkEntry:
    return get_object_or_404(
        FieldworkEntry.objects.select_related("enrollment__course", "enrollment__cohort"),
        pk=pk,
        enrollment__user=request.user,
    )


# --- Lists ------------------------------------------------------------------------------------
@require_GET
@login_required
def index(request):
    """フィールドワーク: the trainee's courses, with a link to each course's log."""
    enrollments = selectors.my_fieldwork_courses(request.user)
    return TemplateResponse(request, "lms/fieldwork/index.html", {"enrollments": enrollments})


@require_GET
@login_required
def course_summary(request, course_id):
    """My fieldwork for one course: progress, totals by category, the map, every entry."""
    from .maps import prefecture_map_context

    enrollment = _active_enrollment(request, course_id)
    summary = selectors.trainee_summary(enrollment)
    context = {
        "enrollment": enrollment,
        "course": enrollment.course,
        "summary": summary,
        **prefecture_map_context(
            summary.by_prefecture, title=_("Approved hours by prefecture"), unit=_("hours")
        ),
    }
    return TemplateResponse(request, "lms/fieldwork/course.html", context)


# --- Writing an entry -------------------------------------------------------------------------
def _form_context(request, *, enrollment, form, entry=None):
    requirement = selectors.requirement_for(enrollment.course_id)
    attachments = list(entry.attachments.all()) if entry is not None else []
    return {
        "enrollment": enrollment,
        "course": enrollment.course,
        "requirement": requirement,
        "form": form,
        "entry": entry,
        "attachments": attachments,
        "attachment_form": AttachmentForm(),
        "autosave_url": (
            reverse("fieldwork:autosave", args=[entry.pk])
            if entry is not None
            else reverse("fieldwork:autosave_new", args=[enrollment.course_id])
        ),
        "draft_key": f"fieldwork-entry-{entry.pk}" if entry else f"fieldwork-new-{enrollment.pk}",
    }


def _add_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _handle_entry_post(request, *, enrollment, entry):
    """Save the draft (and submit it when asked); re-render with messages on errors."""
    requirement = selectors.requirement_for(enrollment.course_id)
    form = EntryForm(request.POST, instance=entry, enrollment=enrollment, requirement=requirement)
    form.is_valid()
    try:
        entry = services.entry_save_draft(
            enrollment=enrollment,
            actor=request.user,
            changes=form.valid_changes(),
            entry=entry,
            version=request.POST.get("version") or None,
        )
    except ValidationError as exc:
        _add_errors(form, exc)
    if form.errors:
        context = _form_context(request, enrollment=enrollment, form=form, entry=entry)
        return TemplateResponse(request, "lms/fieldwork/entry_form.html", context, status=400)
    if request.POST.get("action") == "submit":
        try:
            services.entry_submit(entry=entry, actor=request.user)
        except ValidationError as exc:
            form = EntryForm(
                request.POST, instance=entry, enrollment=enrollment, requirement=requirement
            )
            form.is_valid()
            _add_errors(form, exc)
            context = _form_context(request, enrollment=enrollment, form=form, entry=entry)
            return TemplateResponse(request, "lms/fieldwork/entry_form.html", context, status=400)
        messages.success(request, _("Your entry has been submitted for review."))
        return redirect("fieldwork:entry", entry.pk)
    messages.success(request, _("Your draft has been saved."))
    return redirect("fieldwork:entry_edit", entry.pk)


@require_http_methods(["GET", "POST"])
@login_required
def entry_new(request, course_id):
    enrollment = _active_enrollment(request, course_id)
    if request.method == "POST":
        return _handle_entry_post(request, enrollment=enrollment, entry=None)
    form = EntryForm(
        enrollment=enrollment, requirement=selectors.requirement_for(enrollment.course_id)
    )
    context = _form_context(request, enrollment=enrollment, form=form)
    return TemplateResponse(request, "lms/fieldwork/entry_form.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def entry_edit(request, pk):
    entry = _own_entry(request, pk)
    if not entry.is_editable:
        messages.info(request, services.locked_message(entry))
        return redirect("fieldwork:entry", entry.pk)
    enrollment = entry.enrollment
    if request.method == "POST":
        return _handle_entry_post(request, enrollment=enrollment, entry=entry)
    form = EntryForm(
        instance=entry,
        enrollment=enrollment,
        requirement=selectors.requirement_for(enrollment.course_id),
    )
    context = _form_context(request, enrollment=enrollment, form=form, entry=entry)
    return TemplateResponse(request, "lms/fieldwork/entry_form.html", context)


def _autosave(request, *, enrollment, entry):
    form = EntryForm(
        request.POST,
        instance=entry,
        enrollment=enrollment,
        requirement=selectors.requirement_for(enrollment.course_id),
    )
    form.is_valid()
    try:
        entry = services.entry_save_draft(
            enrollment=enrollment,
            actor=request.user,
            changes=form.valid_changes(),
            entry=entry,
            version=request.POST.get("version") or None,
        )
    except services.StaleDraft as exc:
        return JsonResponse({"ok": False, "stale": True, "message": exc.messages[0]}, status=409)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": " ".join(exc.messages)}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "id": entry.pk,
            "version": entry.version,
            "saved_at": entry.updated_at.isoformat(),
            "edit_url": reverse("fieldwork:entry_edit", args=[entry.pk]),
            "autosave_url": reverse("fieldwork:autosave", args=[entry.pk]),
            "upload_url": reverse("fieldwork:attachment_upload", args=[entry.pk]),
            "errors": {name: list(errors) for name, errors in form.errors.items()},
        }
    )


@require_POST
@login_required
def entry_autosave_new(request, course_id):
    """The first autosave of a new entry creates the draft (JavaScript only)."""
    enrollment = _active_enrollment(request, course_id)
    return _autosave(request, enrollment=enrollment, entry=None)


@require_POST
@login_required
def entry_autosave(request, pk):
    entry = _own_entry(request, pk)
    return _autosave(request, enrollment=entry.enrollment, entry=entry)


# --- Reading an entry -------------------------------------------------------------------------
@require_GET
@login_required
def entry_detail(request, pk):
    entry = get_object_or_404(
        selectors.entries_visible_to(request.user)
        .select_related("enrollment__course", "enrollment__user", "category")
        .prefetch_related(
            "attachments",
            Prefetch("events", queryset=FieldworkEvent.objects.select_related("actor")),
        ),
        pk=pk,
    )
    is_owner = entry.enrollment.user_id == request.user.pk
    context = {
        "entry": entry,
        "course": entry.enrollment.course,
        "is_owner": is_owner,
        "correction_form": CorrectionForm() if is_owner and entry.can_be_corrected else None,
    }
    return TemplateResponse(request, "lms/fieldwork/entry_detail.html", context)


@require_POST
@login_required
def entry_correction(request, pk):
    entry = _own_entry(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.entry_correction_start(
                entry=entry, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("fieldwork:entry", entry.pk)
        messages.success(
            request,
            _("You can now correct the entry. Submit it again: the supervisor will confirm it."),
        )
        return redirect("fieldwork:entry_edit", entry.pk)
    messages.error(request, _("Please say what you are correcting and why."))
    return redirect("fieldwork:entry", entry.pk)


# --- Attachments ------------------------------------------------------------------------------
@require_POST
@login_required
def attachment_upload(request, pk):
    entry = _own_entry(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            attachment = services.attachment_add(
                entry=entry, actor=request.user, uploaded=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("“%(name)s” has been attached.") % {"name": attachment.original_name},
            )
    if entry.is_editable:
        return redirect(reverse("fieldwork:entry_edit", args=[entry.pk]) + "#attachments")
    return redirect("fieldwork:entry", entry.pk)


@require_POST
@login_required
def attachment_remove(request, pk):
    attachment = get_object_or_404(
        FieldworkAttachment.objects.select_related("entry__enrollment"),
        pk=pk,
        entry__enrollment__user=request.user,
    )
    try:
        services.attachment_delete(attachment=attachment, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The attachment has been removed."))
    return redirect(reverse("fieldwork:entry_edit", args=[attachment.entry_id]) + "#attachments")


def _stream(attachment, name, *, content_type, inline):
    storage = storages["private"]
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@login_required
def attachment_file(request, pk):
    """The file itself, for the owner and the course's instructors only.

    Photos (re-encoded by the app) are shown inline; PDFs are always downloaded.
    """
    attachment = get_object_or_404(selectors.attachments_visible_to(request.user), pk=pk)
    return _stream(
        attachment,
        attachment.file,
        content_type=attachment.content_type,
        inline=attachment.kind == FieldworkAttachment.Kind.IMAGE,
    )


@require_GET
@login_required
def attachment_thumbnail(request, pk):
    attachment = get_object_or_404(selectors.attachments_visible_to(request.user), pk=pk)
    if not attachment.thumbnail:
        raise Http404
    return _stream(attachment, attachment.thumbnail, content_type="image/jpeg", inline=True)


# --- The supervisor (no account) --------------------------------------------------------------
REFUSAL_STATUS = {"invalid": 404, "used": 410, "expired": 410, "revoked": 410}


def _refused(request, exc: services.LinkRefused):
    response = TemplateResponse(
        request,
        "lms/fieldwork/supervisor_refused.html",
        {"reason": exc.reason},
        status=REFUSAL_STATUS[exc.reason],
    )
    return _private(response)


def _private(response):
    # The link is a secret: never cached, and never sent to another site as a Referer.
    # ("same-origin", not "no-referrer": browsers then send "Origin: null" with the form,
    # which Django's CSRF check rightly refuses.)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def supervisor(request, token):
    """受入先担当者の確認: the entry (and nothing else of the trainee), confirm or dispute.

    Opening the link changes nothing (mail scanners open links); only answering uses it.
    """
    try:
        token_row = services.supervisor_token_check(token)
    except services.LinkRefused as exc:
        return _refused(request, exc)
    entry = token_row.entry
    form = SupervisorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.supervisor_respond(
                raw_token=token,
                confirm=form.cleaned_data["decision"] == "confirm",
                comment=form.cleaned_data["comment"],
            )
        except services.LinkRefused as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _private(
                TemplateResponse(request, "lms/fieldwork/supervisor_done.html", {"entry": entry})
            )
    context = {"entry": entry, "form": form, "token_row": token_row}
    status = 400 if form.errors else 200
    return _private(
        TemplateResponse(request, "lms/fieldwork/supervisor.html", context, status=status)
    )
