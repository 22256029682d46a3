"""One error path: what a service raises when it refuses, and how a page shows it.

Three answers, one per reason:
- a rule refused the request (a state, a limit, a missing reason): ``DomainError`` → 400 in the API, the
  message on the page;
- the person's position does not allow it: ``NotAllowed`` → 403 in the API and on pages;
- the object lies outside the caller's communities: ``Http404`` from the scoped selectors → 404, as if it did
  not exist (``lucun.scoping.get_scoped_or_404``).

Every message reaches the person as one Chinese text, ``error_message``; the API handler is
``lucun.api.errors.exception_handler``, pages use ``page_errors``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SEPARATOR = "；"
NOT_ALLOWED = gettext_lazy("您的职务不能办理此事。")
SAVE_FAILED = gettext_lazy("保存失败,请稍后重试;您填写的内容已保留。")


class DomainError(ValidationError):
    """A rule refused the request; the message is for the person at the screen.

    A ValidationError, so that a form shows it like its own errors; ``code`` names the rule for API clients.
    """

    code = "refused"

    def __init__(self, message, code: str | None = None, params: dict | None = None):
        super().__init__(message, code=code or self.code, params=params)
        if code:
            self.code = code  # a list of messages leaves the code to each item; the error keeps it too

    def __str__(self) -> str:
        return error_message(self)


class NotAllowed(DomainError, PermissionDenied):
    """The person's position does not allow this (403), whatever the object's state."""

    code = "not_allowed"

    def __init__(self, message=None, code: str | None = None, params: dict | None = None):
        super().__init__(message or NOT_ALLOWED, code=code, params=params)


def require(condition: object, message: str, *, code: str | None = None) -> None:
    """Refuse the request with ``message`` unless ``condition`` holds."""
    if not condition:
        raise DomainError(message, code=code)


def require_permission(condition: object, message: str | None = None) -> None:
    """Refuse the person (403) with ``message`` unless ``condition`` holds."""
    if not condition:
        raise NotAllowed(message)


def error_message(exc: BaseException) -> str:
    """Return the error as one Chinese text: its messages in order, joined with "；".

    A message's closing "。" gives way to the separator, so two refusals read "甲；乙。".
    """
    raw = exc.messages if isinstance(exc, ValidationError) else [a for a in exc.args if a]
    texts = [str(t).strip() for t in raw if str(t).strip()]
    if not texts:
        return str(NOT_ALLOWED) if isinstance(exc, PermissionDenied) else _("请求未能办理。")
    return SEPARATOR.join([t.rstrip("。；;") for t in texts[:-1]] + texts[-1:])


def flash_refused(request, action: str, form) -> None:
    """Flash "未能<action>:<why>" for a refused form: its errors for the whole form, else a pointer to the fields."""
    errors = form.non_field_errors()
    problems = error_message(ValidationError(list(errors))) if errors else _("请查看下方提示。")
    messages.error(request, _("未能%(action)s:%(problems)s") % {"action": action, "problems": problems})


class page_errors:  # lower case: it reads as a statement, ``with page_errors(...)``
    """Run a service call for a page and show what it refuses.

        with page_errors(request, form) as call:
            case = services.case_open(...)
        if call.ok:
            return redirect(case)

    A refused rule (any ValidationError) becomes the form's error, so the form is shown again with what was
    typed, or without a form a flashed message; ``NotAllowed`` goes on as a 403. With ``database_errors``, a
    failed write (the service's transaction rolled back) is said in the same place instead of a server error,
    in the words given or as ``SAVE_FAILED``.
    """

    def __init__(self, request, form=None, *, database_errors: bool | str = False):
        self.request = request
        self.form = form
        self.database_errors = database_errors
        self.ok = False
        self.error: Exception | None = None

    def __enter__(self) -> "page_errors":
        return self

    def __exit__(self, kind, exc, traceback) -> bool:
        if exc is None:
            self.ok = True
            return False
        if isinstance(exc, PermissionDenied):
            return False
        if isinstance(exc, ValidationError):
            self._say(error_message(exc))
        elif self.database_errors and isinstance(exc, DatabaseError):
            self._say(str(SAVE_FAILED if self.database_errors is True else self.database_errors))
        else:
            return False
        self.error = exc
        return True

    @property
    def database_failed(self) -> bool:
        return isinstance(self.error, DatabaseError)

    def _say(self, text: str) -> None:
        if self.form is not None:
            self.form.add_error(None, text)
        else:
            messages.error(self.request, text)
