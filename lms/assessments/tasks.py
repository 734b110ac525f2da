"""Background work for assessments, through the django-tasks API."""

from django_tasks import task


@task()
def expire_overdue_attempts() -> int:
    """Close and grade every attempt past its time limit and grace period.

    Attempts are also closed whenever their trainee opens the quiz or the attempt; this
    task is for a scheduler (e.g. cron running ``manage.py shell -c`` with
    ``expire_overdue_attempts.enqueue()`` every few minutes) so that abandoned attempts
    get their grade, and their lesson its completion, without anyone coming back.
    """
    from .services import attempt_expire_overdue

    return attempt_expire_overdue()
