"""Bulk writes for the admin: decisions on many applications, and enrollment from a CSV file.

Enrollment from a CSV file happens in two steps that share one set of rules:
``bulk_enrollment_preview`` says what each row would do and writes nothing;
``bulk_enrollment_apply`` does it, each row in its own transaction, checking everything
again under row locks. Applying the same file twice changes nothing the second time: people
are matched by e-mail address (case-insensitively) and an existing enrollment is left alone.

Files come from Excel as often as not, so reading is forgiving where it can be (UTF-8 with
or without a BOM, or Shift_JIS/CP932 as Japanese Excel saves "CSV"; half-width kana) and
precise where it cannot (which columns are missing, which row is wrong and why).
"""

import csv
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from lms.accounts import roles
from lms.accounts.models import kana_validator
from lms.accounts.services import user_assign_role

from . import services
from .models import Cohort, CourseInstructor, CoursePage, Enrollment
from .services import EnrollmentError

Status = Enrollment.Status

#: Audit-log action types (registered in wagtail_hooks.py, shown in Wagtail's history views).
LOG_APPROVE = "courses.enrollment.approve"
LOG_REJECT = "courses.enrollment.reject"
LOG_ENROLL = "courses.enrollment.enroll"


# --- Decisions on applications ------------------------------------------------------------
@dataclass
class DecisionResult:
    done: list = field(default_factory=list)  # the enrollments decided, as they are now
    errors: list = field(default_factory=list)  # [(enrollment, message), ...]

    @property
    def waitlisted(self) -> int:
        return sum(1 for e in self.done if e.status == Status.WAITLISTED)


def enrollments_decide_logged(
    *, enrollments, actor, approve: bool, message: str = ""
) -> DecisionResult:
    """Approve or reject applications one by one, each with its entry in Wagtail's audit log.

    Each decision and its log entry are one transaction, so the log never shows a decision
    that did not happen. ``services.enrollment_approve``/``enrollment_reject`` lock the rows,
    keep the EnrollmentEvent and e-mail the trainee after commit; a row that cannot be
    decided (no longer awaiting a decision) is reported, and the others go on.
    """
    decide = services.enrollment_approve if approve else services.enrollment_reject
    action = LOG_APPROVE if approve else LOG_REJECT
    message = message.strip()
    result = DecisionResult()
    for enrollment in enrollments:
        previous = enrollment.status
        try:
            with transaction.atomic():
                decided = decide(enrollment=enrollment, actor=actor, message=message)
                log(
                    instance=decided,
                    action=action,
                    user=actor,
                    data={"from_status": previous, "to_status": decided.status, "message": message},
                )
        except EnrollmentError as exc:
            result.errors.append((enrollment, exc.messages[0]))
        else:
            result.done.append(decided)
    return result


# --- Enrolling on an instructor's say-so --------------------------------------------------
def enrollment_create_by_instructor(
    *, user, course: CoursePage, cohort: Cohort | None, actor
) -> Enrollment:
    """Enroll ``user`` because an instructor says so: no approval step, but seats still count.

    Unlike ``services.enrollment_create`` (a trainee applying), the course's enrollment
    policy and the cohort's enrollment window do not apply: they decide who may *apply*,
    and here the instructor is choosing. Capacity does apply (a full cohort puts the
    trainee on the waiting list), and so do prerequisites. A trainee who withdrew or was
    not accepted keeps their record: the same row is reused, as when they apply again.
    """
    if not course.live:
        raise EnrollmentError(_("This course is not published."))
    if cohort is not None and cohort.course_id != course.pk:
        raise EnrollmentError(_("This cohort does not belong to this course."))
    if cohort is None and course.cohorts.exists():
        raise EnrollmentError(_("Please choose a cohort."))
    missing = services._missing_prerequisites(user, course)
    if missing:
        raise EnrollmentError(_prerequisites_message(missing))
    with transaction.atomic():
        if cohort is not None:
            cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is not None and enrollment.status not in (Status.WITHDRAWN, Status.REJECTED):
            raise EnrollmentError(_("They already have an enrollment in this course."))
        if enrollment is None:
            enrollment = Enrollment(user=user, course=course, cohort=cohort, status="")
        else:
            enrollment.cohort = cohort
            enrollment.decision_message = ""
        services._set_status(enrollment, services._seat_status(cohort), actor=actor)
    return enrollment


def _prerequisites_message(missing) -> str:
    titles = "、".join(f"「{c.title}」" for c in missing)
    return _("They have not completed the courses this one requires: %(courses)s") % {
        "courses": titles
    }


# --- Reading the file ---------------------------------------------------------------------
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

#: The columns of the file, in the order of the template the admin offers for download.
COLUMNS = ("email", "family_name", "given_name", "family_name_kana", "given_name_kana", "cohort")
#: Needed in every file; ``cohort`` is needed too when the course has cohorts.
REQUIRED_COLUMNS = COLUMNS[:5]

# Control characters other than tab and line breaks, and the private-use area (where CP932
# puts its vendor-specific bytes): text that contains them was decoded wrongly, or is not text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")


class CsvFileError(ValidationError):
    """The file as a whole cannot be used; the message says why and what to do."""


@dataclass
class CsvRow:
    """One row of the file, with whitespace trimmed. ``number`` is the spreadsheet row."""

    number: int
    email: str
    family_name: str = ""
    given_name: str = ""
    family_name_kana: str = ""
    given_name_kana: str = ""
    cohort: str = ""
    extra_values: bool = False

    @property
    def email_key(self) -> str:
        return self.email.lower()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.given_name) if p)

    @property
    def full_name_kana(self) -> str:
        return " ".join(p for p in (self.family_name_kana, self.given_name_kana) if p)


def csv_decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Shift_JIS/CP932, else an error."""
    if not data.strip():
        raise CsvFileError(_("The file is empty."))
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvFileError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, choose “Save As” with "
                "the file type “CSV UTF-8 (Comma delimited)” and upload that file."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFileError(
            _(
                "This file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8 "
                "(Comma delimited)” and upload it again."
            )
        )
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _NOT_TEXT.search(text):
            return text
    raise CsvFileError(
        _(
            "The file could not be read as a CSV file in UTF-8 or Shift_JIS. Is it a CSV file? "
            "In Excel, choose “Save As” with the file type “CSV UTF-8 (Comma delimited)”."
        )
    )


def _column_key(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


def csv_parse(text: str, *, require_cohort: bool) -> list[CsvRow]:
    """The rows of ``text``, checked for shape only (columns, size); content is checked later."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise CsvFileError(_("The file is empty."))
        names = [_column_key(cell) for cell in header]
        if len(names) == 1 and ("\t" in header[0] or ";" in header[0]):
            raise CsvFileError(
                _("The columns must be separated by commas. Save the file as CSV and try again.")
            )
        duplicated = sorted({n for n in names if n and names.count(n) > 1})
        if duplicated:
            raise CsvFileError(
                _("These columns appear more than once: %(columns)s.")
                % {"columns": ", ".join(duplicated)}
            )
        required = [*REQUIRED_COLUMNS, "cohort"] if require_cohort else list(REQUIRED_COLUMNS)
        missing = [c for c in required if c not in names]
        if missing:
            raise CsvFileError(
                _(
                    "These columns are missing: %(missing)s. The first row must name the "
                    "columns: %(expected)s."
                )
                % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
            )
        index = {name: names.index(name) for name in COLUMNS if name in names}
        width = len(names)
        rows = []
        number = 1  # the header's row in the spreadsheet
        for values in reader:
            number += 1
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(
                    _("The file has more than %(max)d rows. Split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
            cells = {
                name: (values[i].strip() if i < len(values) else "") for name, i in index.items()
            }
            rows.append(
                CsvRow(
                    number=number,
                    extra_values=any(v.strip() for v in values[width:]),
                    **cells,
                )
            )
    except csv.Error as exc:
        raise CsvFileError(
            _("Row %(row)d could not be read: check the quotation marks in that row.")
            % {"row": reader.line_num}
        ) from exc
    if not rows:
        raise CsvFileError(_("The file has no rows below the column names."))
    return rows


def csv_read(data: bytes, *, require_cohort: bool) -> tuple[str, list[CsvRow]]:
    """Decode and parse an uploaded file: its text (to keep for the commit step) and rows."""
    if len(data) > MAX_FILE_BYTES:
        raise CsvFileError(
            _("The file is too large (at most %(size)s MB). Split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    text = csv_decode(data)
    return text, csv_parse(text, require_cohort=require_cohort)


# --- What each row does -------------------------------------------------------------------
class Action:
    CREATE = "create"  # create an account, then enroll it
    ENROLL = "enroll"  # enroll an existing account (new enrollment, or one withdrawn/rejected)
    APPROVE = "approve"  # accept the person's pending application
    UNCHANGED = "unchanged"  # already enrolled (active, completed or waiting list)
    ERROR = "error"

    CHANGES = (CREATE, ENROLL, APPROVE)


PREVIEW_LABELS = {
    Action.CREATE: gettext_lazy("Will create a user and enroll"),
    Action.ENROLL: gettext_lazy("Will enroll an existing user"),
    Action.APPROVE: gettext_lazy("Will approve their pending application"),
    Action.UNCHANGED: gettext_lazy("Already enrolled — no change"),
    Action.ERROR: gettext_lazy("Error"),
}
DONE_LABELS = {
    Action.CREATE: gettext_lazy("User created and enrolled"),
    Action.ENROLL: gettext_lazy("Existing user enrolled"),
    Action.APPROVE: gettext_lazy("Pending application approved"),
    Action.UNCHANGED: gettext_lazy("Already enrolled — no change"),
    Action.ERROR: gettext_lazy("Error"),
}


@dataclass
class RowResult:
    row: CsvRow
    action: str
    applied: bool = False
    messages: list = field(default_factory=list)  # errors, or notes about the row
    waitlisted: bool = False
    cohort: Cohort | None = None
    enrollment: Enrollment | None = None

    @property
    def is_error(self) -> bool:
        return self.action == Action.ERROR

    @property
    def label(self) -> str:
        return (DONE_LABELS if self.applied else PREVIEW_LABELS)[self.action]

    @property
    def waitlist_note(self) -> str:
        if not self.waitlisted:
            return ""
        if self.applied:
            return _("Put on the waiting list: the cohort is full.")
        return _("The cohort is full: they will be on the waiting list.")


@dataclass
class BulkEnrollmentReport:
    course: CoursePage
    applied: bool
    results: list

    def count(self, action) -> int:
        return sum(1 for r in self.results if r.action == action)

    @property
    def changes(self) -> int:
        return sum(1 for r in self.results if r.action in Action.CHANGES)

    @property
    def errors(self) -> int:
        return self.count(Action.ERROR)

    @property
    def summary(self) -> list[tuple[str, int]]:
        labels = DONE_LABELS if self.applied else PREVIEW_LABELS
        return [(labels[a], n) for a in labels if (n := self.count(a))]

    def as_dict(self) -> dict:
        """The report as JSON-ready data, in the active language (a background task's result).

        The same shape as the object, so one template shows either.
        """
        return {
            "course": {"pk": self.course.pk, "title": self.course.title},
            "applied": self.applied,
            "changes": self.changes,
            "errors": self.errors,
            "summary": [[str(label), count] for label, count in self.summary],
            "results": [
                {
                    "row": {
                        "number": r.row.number,
                        "email": r.row.email,
                        "full_name": r.row.full_name,
                        "full_name_kana": r.row.full_name_kana,
                        "cohort": r.row.cohort,
                    },
                    "action": r.action,
                    "label": str(r.label),
                    "is_error": r.is_error,
                    "waitlisted": r.waitlisted,
                    "waitlist_note": r.waitlist_note,
                    "messages": [str(m) for m in r.messages],
                }
                for r in self.results
            ],
        }


@dataclass
class _Rules:
    """What a course allows the instructor to do, loaded once per file."""

    course: CoursePage
    cohorts: dict  # normalised name → Cohort
    taught_cohort_ids: set | None  # None: every cohort of the course
    prerequisites: list

    @property
    def cohort_names(self) -> str:
        return "、".join(c.name for c in self.cohorts.values())


def _cohort_key(name: str) -> str:
    # 第１期 and 第1期 are the same cohort to a person typing it.
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _rules(course: CoursePage, actor) -> _Rules:
    cohorts = list(course.cohorts.order_by("starts_on", "pk"))
    if actor.is_superuser or CourseInstructor.objects.filter(page=course, user=actor).exists():
        taught = None
    else:
        taught = set(
            Cohort.objects.filter(course=course, instructors=actor).values_list("pk", flat=True)
        )
        if not taught:
            raise PermissionDenied
    return _Rules(
        course=course,
        cohorts={_cohort_key(c.name): c for c in cohorts},
        taught_cohort_ids=taught,
        prerequisites=list(course.prerequisites.all()),
    )


def _check_row(row: CsvRow, rules: _Rules) -> tuple[list[str], Cohort | None]:
    """Problems that need no account lookup: the e-mail, the cohort, the sizes."""
    errors = []
    try:
        validate_email(row.email)
        if len(row.email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
    except ValidationError:
        if row.email:
            errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": row.email})
        else:
            errors.append(_("The e-mail address is missing."))
    if row.extra_values:
        errors.append(_("This row has more values than there are columns."))
    for value in (row.family_name, row.given_name, row.family_name_kana, row.given_name_kana):
        if len(value) > NAME_MAX_LENGTH:
            errors.append(
                _("A name is too long (at most %(max)d characters).") % {"max": NAME_MAX_LENGTH}
            )
            break
    cohort = None
    if rules.cohorts:
        if not row.cohort:
            errors.append(
                _("Enter the cohort: this course has the cohorts %(names)s.")
                % {"names": rules.cohort_names}
            )
        else:
            cohort = rules.cohorts.get(_cohort_key(row.cohort))
            if cohort is None:
                errors.append(
                    _("There is no cohort “%(name)s” in this course (cohorts: %(names)s).")
                    % {"name": row.cohort, "names": rules.cohort_names}
                )
            elif rules.taught_cohort_ids is not None and cohort.pk not in rules.taught_cohort_ids:
                errors.append(_("You do not teach the cohort “%(name)s”.") % {"name": cohort.name})
            elif cohort.ends_on < timezone.localdate():
                errors.append(_("The cohort “%(name)s” has already ended.") % {"name": cohort.name})
    elif row.cohort:
        errors.append(_("This course has no cohorts: leave the cohort empty."))
    return errors, cohort


def _kana(value: str) -> str:
    # Half-width katakana (ｶﾀｶﾅ) from older systems becomes full-width; names are left as
    # written (NFKC would turn 﨑 into 崎).
    return unicodedata.normalize("NFKC", value).strip()


def _new_account_errors(row: CsvRow) -> list[str]:
    errors = []
    if not row.family_name or not row.given_name:
        errors.append(_("The family name and given name are needed to create an account."))
    for value in (row.family_name_kana, row.given_name_kana):
        try:
            kana_validator(_kana(value))
        except ValidationError as exc:
            errors.extend(exc.messages)
            break
    return errors


def _decide(
    row: CsvRow,
    *,
    rules: _Rules,
    cohort: Cohort | None,
    user,
    enrollment: Enrollment | None,
    completed_course_ids: set,
) -> RowResult:
    """What the row does, given the person's account and enrollment (either may be None)."""

    def error(message):
        return RowResult(row, Action.ERROR, messages=[message], cohort=cohort)

    if user is None:
        errors = _new_account_errors(row)
        if errors:
            return RowResult(row, Action.ERROR, messages=errors, cohort=cohort)
        if rules.prerequisites:
            return error(_prerequisites_message(rules.prerequisites))
        return RowResult(row, Action.CREATE, cohort=cohort)
    notes = []
    if row.full_name and row.full_name != user.get_full_name("ja"):
        notes.append(
            _("Their account is named “%(name)s”; the name in the file is not used.")
            % {"name": user.get_full_name("ja")}
        )
    if not user.is_active:
        return error(_("This account is deactivated."))
    if enrollment is not None and enrollment.status in (*Enrollment.SEATED, Status.WAITLISTED):
        current = enrollment.get_status_display()
        if enrollment.cohort is not None:
            current = f"{current}（{enrollment.cohort.name}）"
        notes.insert(0, _("Currently: %(status)s") % {"status": current})
        return RowResult(row, Action.UNCHANGED, messages=notes, enrollment=enrollment)
    if enrollment is not None and enrollment.status == Status.PENDING:
        if enrollment.cohort_id != (cohort.pk if cohort else None):
            return error(
                _(
                    "They have applied for another cohort (%(cohort)s). Decide on their "
                    "application in the list of enrollments."
                )
                % {"cohort": enrollment.cohort.name if enrollment.cohort else "—"}
            )
        return RowResult(row, Action.APPROVE, messages=notes, cohort=cohort, enrollment=enrollment)
    missing = [c for c in rules.prerequisites if c.pk not in completed_course_ids]
    if missing:
        return error(_prerequisites_message(missing))
    return RowResult(row, Action.ENROLL, messages=notes, cohort=cohort, enrollment=enrollment)


def _duplicate_error(row: CsvRow, first_seen: dict) -> str | None:
    first = first_seen.setdefault(row.email_key, row.number)
    if first != row.number:
        return _("This e-mail address is already in row %(row)d.") % {"row": first}
    return None


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _users_by_email(emails) -> dict:
    User = get_user_model()
    users = {}
    for chunk in _chunks(emails):
        for user in (
            User.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=chunk)
            .order_by("pk")
        ):
            users.setdefault(user.email_key, user)
    return users


def bulk_enrollment_preview(
    *, course: CoursePage, actor, rows: list[CsvRow]
) -> BulkEnrollmentReport:
    """What applying ``rows`` would do, row by row; writes nothing.

    A fixed number of queries whatever the number of rows (in chunks of 500 e-mails). Seats
    are counted as the rows would take them, so the preview says who would be waitlisted.
    """
    rules = _rules(course, actor)
    checked = [(row, *_check_row(row, rules)) for row in rows]
    users = _users_by_email({row.email_key for row, errors, _c in checked if not errors})
    enrollments = {}
    completed = defaultdict(set)
    user_ids = [u.pk for u in users.values()]
    for chunk in _chunks(user_ids):
        for enrollment in Enrollment.objects.filter(
            course=course, user_id__in=chunk
        ).select_related("cohort"):
            enrollments[enrollment.user_id] = enrollment
        if rules.prerequisites:
            for user_id, course_id in Enrollment.objects.filter(
                user_id__in=chunk, course__in=rules.prerequisites, status=Status.COMPLETED
            ).values_list("user_id", "course_id"):
                completed[user_id].add(course_id)
    seats = dict(
        Enrollment.objects.filter(cohort__course=course, status__in=Enrollment.SEATED)
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
    )
    first_seen = {}
    results = []
    for row, errors, cohort in checked:
        duplicate = _duplicate_error(row, first_seen) if row.email else None
        if duplicate:
            errors = [*errors, duplicate]
        if errors:
            results.append(RowResult(row, Action.ERROR, messages=errors, cohort=cohort))
            continue
        user = users.get(row.email_key)
        result = _decide(
            row,
            rules=rules,
            cohort=cohort,
            user=user,
            enrollment=enrollments.get(user.pk) if user else None,
            completed_course_ids=completed[user.pk] if user else set(),
        )
        if result.action in Action.CHANGES and cohort is not None and cohort.capacity is not None:
            taken = seats.get(cohort.pk, 0)
            if taken >= cohort.capacity:
                result.waitlisted = True
            else:
                seats[cohort.pk] = taken + 1
        results.append(result)
    return BulkEnrollmentReport(course=course, applied=False, results=results)


def bulk_enrollment_apply(*, course: CoursePage, actor, rows: list[CsvRow]) -> BulkEnrollmentReport:
    """Apply ``rows``: create the missing accounts, enroll, invite; one transaction per row.

    A row that fails leaves nothing behind and does not stop the others. New accounts get
    an invitation to set their password, existing ones a notice; both after commit.
    """
    rules = _rules(course, actor)
    first_seen = {}
    results = []
    for row in rows:
        errors, cohort = _check_row(row, rules)
        duplicate = _duplicate_error(row, first_seen) if row.email else None
        if duplicate:
            errors.append(duplicate)
        if errors:
            result = RowResult(row, Action.ERROR, messages=errors, cohort=cohort)
        else:
            result = bulk_enrollment_apply_row(row=row, rules=rules, cohort=cohort, actor=actor)
        result.applied = True
        results.append(result)
    return BulkEnrollmentReport(course=course, applied=True, results=results)


def bulk_enrollment_apply_row(*, row: CsvRow, rules: _Rules, cohort: Cohort | None, actor):
    """Apply one checked row in its own transaction; a concurrent duplicate is retried once."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _apply_row(row, rules=rules, cohort=cohort, actor=actor)
        except EnrollmentError as exc:
            return RowResult(row, Action.ERROR, messages=exc.messages, cohort=cohort)
        except IntegrityError:
            # Someone created the account or the enrollment at the same moment (the same
            # file applied twice at once): look again, and it is an existing one.
            continue
    return RowResult(
        row,
        Action.ERROR,
        messages=[_("This row changed while it was being applied. Upload the file again.")],
        cohort=cohort,
    )


def _apply_row(row: CsvRow, *, rules: _Rules, cohort: Cohort | None, actor) -> RowResult:
    course = rules.course
    user = _users_by_email([row.email_key]).get(row.email_key)
    enrollment = None
    completed = set()
    if user is not None:
        enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
        if rules.prerequisites:
            completed = set(
                Enrollment.objects.filter(
                    user=user, course__in=rules.prerequisites, status=Status.COMPLETED
                ).values_list("course_id", flat=True)
            )
    result = _decide(
        row,
        rules=rules,
        cohort=cohort,
        user=user,
        enrollment=enrollment,
        completed_course_ids=completed,
    )
    if result.action not in Action.CHANGES:
        return result
    if result.action == Action.APPROVE:
        enrollment = services.enrollment_approve(enrollment=enrollment, actor=actor)
        log_action = LOG_APPROVE
    else:
        if result.action == Action.CREATE:
            user = _trainee_account_create(row)
        enrollment = enrollment_create_by_instructor(
            user=user, course=course, cohort=cohort, actor=actor
        )
        _invite(enrollment, new_account=result.action == Action.CREATE)
        log_action = LOG_ENROLL
    log(
        instance=enrollment,
        action=log_action,
        user=actor,
        data={
            "source": "csv",
            "to_status": enrollment.status,
            "created_account": result.action == Action.CREATE,
        },
    )
    result.enrollment = enrollment
    result.waitlisted = enrollment.status == Status.WAITLISTED
    return result


def _trainee_account_create(row: CsvRow):
    """A trainee account for someone who has none: verified e-mail, no password yet."""
    User = get_user_model()
    user = User.objects.create_user(
        email=row.email,
        password=None,  # unusable: they choose one through the invitation link
        last_name=row.family_name,
        first_name=row.given_name,
        last_name_kana=_kana(row.family_name_kana),
        first_name_kana=_kana(row.given_name_kana),
    )
    user_assign_role(user=user, role=roles.TRAINEES)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _invite(enrollment: Enrollment, *, new_account: bool) -> None:
    from .tasks import send_invitation_email

    transaction.on_commit(
        lambda: send_invitation_email.enqueue(enrollment_id=enrollment.pk, new_account=new_account)
    )
