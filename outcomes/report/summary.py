"""The report's summary (综述): the period's work told in a few sentences, the way a street writes up its 工作成效.

``summary_figures`` computes the few figures only the summary needs (the three lists, the main categories, how
satisfaction moved from the period's first months to its last, and the household surveys in the period);
``paragraphs`` writes the sentences from the report's figures as plain values, so a stored report reads the same.
A sentence whose figures are missing is left out.
"""

from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseList, CaseState
from lucun.models import localized_name
from lucun.text import listed, sentence

from .. import rates as rates_module
from ..periods import Period

TOP_CATEGORIES = 3
CHANGE_MONTHS = 3  # satisfaction moved from the period's first three months to its last three
CHANGE_MIN_DAYS = 180  # ... when the period has run at least this long


def _lists(cases) -> list[dict]:
    counts = dict(cases.values("case_list").annotate(n=Count("pk")).values_list("case_list", "n"))
    return [{"code": code, "label": str(label), "count": counts.get(code, 0)} for code, label in CaseList.choices]


def _categories(cases) -> list[dict]:
    rows = (
        cases.values("category__name", "category__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "category__name")[:TOP_CATEGORIES]
    )
    return [{"name": localized_name(r["category__name"], r["category__name_en"]), "count": r["n"]} for r in rows]


def _satisfaction_change(communities, period: Period, today: date) -> dict | None:
    """Satisfaction over the period's first and last three months, when it has run long enough to compare."""
    end = min(period.end, today + timedelta(days=1))
    if (end - period.start).days < CHANGE_MIN_DAYS:
        return None
    span = timedelta(days=round(CHANGE_MONTHS * 30.44))
    first = rates_module.rates(communities=communities, period=Period("range", period.start, period.start + span))
    last = rates_module.rates(communities=communities, period=Period("range", end - span, end))
    if first.total.satisfaction_rate is None or last.total.satisfaction_rate is None:
        return None
    return {
        "from": first.total.satisfaction_rate,
        "to": last.total.satisfaction_rate,
        "from_answered": first.total.answered,
        "to_answered": last.total.answered,
    }


def _survey_change(survey_trend: list[dict], period: Period) -> dict | None:
    rounds = [s for s in survey_trend if s["rate"] is not None and period.contains(date.fromisoformat(s["date"]))]
    if len(rounds) < 2:
        return None
    return {"from": rounds[0]["rate"], "to": rounds[-1]["rate"], "rounds": len(rounds)}


def summary_figures(communities, period: Period, survey_trend: list[dict], now=None) -> dict:
    """The figures the summary needs beyond the report's own, for the communities and the period."""
    today = timezone.localdate(now or timezone.now())
    cases = (
        Case.objects.filter(community__in=communities, opened_at__gte=period.start_at, opened_at__lt=period.end_at)
        .exclude(state=CaseState.CANCELLED)
        .order_by()
    )
    return {
        "lists": _lists(cases),
        "top_categories": _categories(cases),
        "satisfaction_change": _satisfaction_change(communities, period, today),
        "survey_change": _survey_change(survey_trend, period),
    }


def _moved(before: float, after: float) -> str:
    if after > before:
        return _("从%(a)s%%上升到%(b)s%%") % {"a": before, "b": after}
    if after < before:
        return _("从%(a)s%%下降到%(b)s%%") % {"a": before, "b": after}
    return _("保持在%(a)s%%") % {"a": after}


def _year_on_year(change: float) -> str:
    if change < 0:
        return _("同比下降%(p)s%%") % {"p": abs(change)}
    if change > 0:
        return _("同比上升%(p)s%%") % {"p": change}
    return _("与上年同期持平")


def _work(d: dict) -> str:
    v, c, s = d.get("visits", {}), d.get("cases", {}), d.get("summary", {})
    parts = []
    if v.get("visited"):
        parts.append(_("累计走访%(n)s个村居%(h)s户") % {"n": v.get("communities_visited", "—"), "h": v["visited"]})
    if c.get("collected") is not None:
        kinds = listed(x["name"] for x in s.get("top_categories", []))
        parts.append(
            _("收集%(kinds)s等群众关心问题%(n)s个,已办结%(r)s个,正在推进%(o)s个")
            % {"kinds": kinds, "n": c["collected"], "r": c.get("resolved", 0), "o": c.get("open", 0)}
            if kinds
            else _("收集群众关心问题%(n)s个,已办结%(r)s个,正在推进%(o)s个")
            % {"n": c["collected"], "r": c.get("resolved", 0), "o": c.get("open", 0)}
        )
    tiers = [t for t in c.get("by_tier", []) if t.get("resolved")]
    if tiers:
        parts.append(
            _("办结的问题中%(tiers)s")
            % {"tiers": listed(_("%(t)s%(n)s个") % {"t": t["tier"], "n": t["resolved"]} for t in tiers)}
        )
    lists = [x for x in s.get("lists", []) if x["count"]]
    if lists:
        parts.append(
            _("按“三张清单”,%(lists)s")
            % {"lists": listed(_("%(l)s%(n)s个") % {"l": x["label"], "n": x["count"]} for x in lists)}
        )
    return sentence(parts)


def _deliberation(d: dict) -> str:
    m = d.get("deliberation", {})
    parts = []
    if m.get("meetings"):
        text = _("召开“大家小家”座谈会等议事会议%(m)s场,协商解决问题%(s)s个") % {
            "m": m["meetings"],
            "s": m.get("settled", 0),
        }
        if m.get("self_resolution_rate") is not None:
            text += _(",自行协商解决率%(r)s%%") % {"r": m["self_resolution_rate"]}
        parts.append(text)
    if m.get("joint_meetings"):
        parts.append(
            _("党政联席会下沉%(c)s个村居召开%(j)s次,解决难题%(s)s个")
            % {"c": m.get("joint_communities", 0), "j": m["joint_meetings"], "s": m.get("joint_solved", 0)}
        )
    return sentence(parts)


def _results(d: dict) -> str:
    s = d.get("summary", {})
    parts = [
        _("%(label)s%(change)s") % {"label": e["label"], "change": _year_on_year(e["change"])}
        for e in d.get("external", [])
        if e.get("change") is not None
    ]
    change = s.get("satisfaction_change")
    if change:
        parts.append(
            _("回访群众满意率%(moved)s(统计期前三个月与近三个月)") % {"moved": _moved(change["from"], change["to"])}
        )
    survey = s.get("survey_change")
    if survey:
        parts.append(
            _("入户调查群众对干部工作满意度%(moved)s(%(n)s轮调查)")
            % {"moved": _moved(survey["from"], survey["to"]), "n": survey["rounds"]}
        )
    return sentence(parts)


def _people(d: dict) -> str:
    t, p = d.get("talent", {}), d.get("points", {})
    parts = []
    if t.get("total"):
        parts.append(
            _("收集掌握后备人才信息%(t)s条,回引人才%(b)s人,其中储备村书记后备力量%(r)s人")
            % {"t": t["total"], "b": t.get("brought_back", 0), "r": t.get("reserve_secretaries", 0)}
        )
    if p.get("volunteers"):
        parts.append(
            _("在册志愿群众%(v)s人,%(y)s年发放积分%(i)s分")
            % {"v": p["volunteers"], "y": p.get("year", ""), "i": p.get("issued_year", 0)}
        )
    return sentence(parts)


def paragraphs(d: dict) -> list[str]:
    """The summary's sentences, from the report's figures as plain values (live or stored)."""
    lead = _("%(scope)s%(period)s:") % {
        "scope": d.get("community") or d.get("street") or "",
        "period": d.get("period_label", ""),
    }
    texts = [_work(d), _deliberation(d), _results(d), _people(d)]
    texts = [t for t in texts if t]
    if texts:
        texts[0] = lead + texts[0]
    return texts
