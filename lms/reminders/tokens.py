"""The one-click unsubscribe link: a signed, salted user id, no login needed.

The link does not expire (a reminder read months later must still let its reader stop
them); it can do one thing only, turn reminder e-mails off, and the page asks for a
confirming POST, so a mail scanner that follows links changes nothing.
"""

from django.contrib.auth import get_user_model
from django.core import signing

SALT = "lms.reminders.unsubscribe"


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=SALT)


def user_for_token(token: str):
    """The user the token was made for, or None when it is forged, damaged or stale."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return get_user_model().objects.filter(pk=data["u"]).first()
