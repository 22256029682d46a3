"""The visits app's panel on the home page (lucun.home): households of my team's current slot not yet visited."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lucun.home import Figure, Panel, Row
from lucun.navigation import OFFICIAL_ROLES
from lucun.scoping import has_role

from . import selectors


def _period(assignment) -> str:
    return "{}—{}".format(
        formats.date_format(assignment.starts_on, "m-d"),
        formats.date_format(assignment.ends_on, "m-d"),
    )


def team_visits(*, user, now) -> Panel | None:
    if not has_role(user, OFFICIAL_ROLES):
        return None
    work = selectors.team_work(user=user, today=timezone.localdate(now))
    rows = tuple(
        Row(
            label=_("%(community)s · %(team)s") % {"community": a.community.name, "team": a.team.name},
            url=reverse("visits:ledger", kwargs={"community_id": a.community_id}),
            note=_("%(period)s · 还有 %(count)d 户未走访") % {"period": _period(a), "count": a.unvisited},
        )
        for a in work.assignments
    )
    url = rows[0].url if len(work.assignments) == 1 else reverse("visits:plan")
    if not work.in_team:
        empty = _("您不在走访队伍中,本轮没有分给您的入户任务。")
    elif not work.assignments:
        empty = _("本轮走访中,您的队伍还没有已开始的驻村安排。")
    else:
        empty = _("本轮分给您队伍的住户都已走访。")
    return Panel(
        key="team-visits",
        title=_("本轮入户走访"),
        figures=(Figure(key="unvisited", label=_("户尚未走访"), count=work.unvisited, url=url),),
        empty=empty,
        rows=rows,
        more=(_("走访安排"), reverse("visits:plan")),
    )


def register_panels() -> None:
    from lucun import home

    home.register("team-visits", team_visits, order=30)
