import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def user_for_login(login: str):
    """Return the user a typed login name or mobile number signs in as, or None.

    The name is NFKC-normalised as Django stores usernames, so full-width letters and digits typed with a Chinese
    input method, and compatibility lookalikes such as "ſ", find the same account.
    """
    login = unicodedata.normalize("NFKC", login or "").strip()
    if not login:
        return None
    return get_user_model().objects.filter(Q(username__iexact=login) | Q(phone=login)).order_by("pk").first()


class UsernameOrPhoneBackend(ModelBackend):
    """Sign in with either the username or the mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # Spend the same time as a real check so the response does not reveal unknown logins.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
