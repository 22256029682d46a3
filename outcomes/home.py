"""The outcomes app's panel on the home page (lucun.home): callbacks to make (those of the person's own cases
go to someone independent of them, never to the person)."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lucun.home import Figure, Panel, Row
from lucun.scoping import has_role

from . import permissions, selectors

ROWS = 5


def callbacks(*, user, now) -> Panel | None:
    if not has_role(user, permissions.CALLBACK_ROLES):
        return None
    waiting = selectors.callbacks_to_make(user=user)
    count = waiting.count()
    rows = ()
    if count:
        rows = tuple(
            Row(
                label=f"{callback.case.number} {callback.case.title}",
                url=reverse("outcomes:callback_detail", kwargs={"pk": callback.pk}),
                note=_("%(when)s 办结")
                % {"when": formats.date_format(timezone.localtime(callback.resolved_at), "m-d")},
            )
            for callback in waiting[:ROWS]
        )
    return Panel(
        key="callbacks",
        title=_("待回访"),
        figures=(
            Figure(
                key="callbacks",
                label=_("件办结诉求待回访"),
                count=count,
                url=reverse("outcomes:callback_list") + "?state=mine",
            ),
        ),
        empty=_("没有待回访的诉求。"),
        rows=rows,
    )


def register_panels() -> None:
    from lucun import home

    home.register("callbacks", callbacks, order=40)
