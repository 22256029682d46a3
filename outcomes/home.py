"""The outcomes app's panel on the home page (lucun.home): callbacks to make (those of the person's own cases
go to someone independent of them, never to the person)."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lucun.home import Panel, Row, count_panel
from lucun.scoping import has_role

from . import permissions, selectors


def _callback_row(callback) -> Row:
    return Row(
        label=f"{callback.case.number} {callback.case.title}",
        url=reverse("outcomes:callback_detail", kwargs={"pk": callback.pk}),
        note=_("%(when)s 办结") % {"when": formats.date_format(timezone.localtime(callback.resolved_at), "m-d")},
    )


def callbacks(*, user, now) -> Panel | None:
    if not has_role(user, permissions.CALLBACK_ROLES):
        return None
    return count_panel(
        key="callbacks",
        title=_("待回访"),
        label=_("件办结诉求待回访"),
        url=reverse("outcomes:callback_list") + "?state=mine",
        items=selectors.callbacks_to_make(user=user),
        row=_callback_row,
        empty=_("没有待回访的诉求。"),
    )


def register_panels() -> None:
    from lucun import home

    home.register("callbacks", callbacks, order=40)
