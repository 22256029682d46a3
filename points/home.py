"""The points app's panel on the home page (lucun.home): claims waiting for approval."""

from django.urls import reverse
from django.utils.translation import gettext as _

from lucun.home import Figure, Panel
from lucun.scoping import has_role

from . import roles, selectors


def claims(*, user, now) -> Panel | None:
    if not has_role(user, roles.APPROVE_ROLES):
        return None
    url = reverse("points:claim_list") + "?status=pending"
    return Panel(
        key="claims",
        title=_("积分审核"),
        figures=(
            Figure(
                key="claims", label=_("条积分申报待审核"), count=selectors.claims_to_approve_count(user=user), url=url
            ),
        ),
        empty=_("没有待审核的积分申报。"),
    )


def register_panels() -> None:
    from lucun import home

    home.register("claims", claims, order=50)
