"""What the certificates app does when something that may complete a course changed."""

from lms.courses.signals import completion_inputs_changed


def on_completion_inputs_changed(sender, *, enrollment_id, **kwargs):
    from .services import enrollment_complete_if_eligible

    enrollment_complete_if_eligible(enrollment_id=enrollment_id)


def connect() -> None:
    completion_inputs_changed.connect(
        on_completion_inputs_changed, dispatch_uid="certificates.completion"
    )
