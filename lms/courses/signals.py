"""Signals other apps listen to, so that lower layers never import higher ones.

``completion_inputs_changed`` is sent whenever something that may complete a course
changed for one enrollment: a lesson completed, a quiz graded or regraded, a fieldwork
entry decided. It is sent inside the sender's transaction, so a receiver's writes (the
enrollment marked completed) commit or roll back with the change that caused them;
receivers must therefore be quick and leave slow work (rendering a certificate) to a
task enqueued on commit. The certificates app listens and decides, with its single
eligibility function, whether the course is now complete.
"""

from django.dispatch import Signal

completion_inputs_changed = Signal()  # kwargs: enrollment_id


def completion_inputs_changed_send(*, enrollment_id: int) -> None:
    completion_inputs_changed.send(sender=None, enrollment_id=enrollment_id)
