"""The outcome report laid out in sections: what the page, the PDF and the Excel summary show, in one place.

Everything here is built from the report's figures as plain values (``Report.as_dict()``, or the copy a
monthly snapshot stored), so a live report and a stored one are shown alike and nothing is computed here
but the layout. A section holds figures (label, value, unit), tables of ready-formatted cells, the charts
drawn from its series and the definitions shown beside them.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .figures import DEFINITIONS
from .layout import Cell, Chart, Document, Figure, Section, Table
from .summary import paragraphs


def _text(value) -> str:
    return "—" if value is None else str(value)


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def _change(value) -> Cell:
    if value is None:
        return Cell("—", "num")
    sign = "+" if value > 0 else ""
    return Cell(f"{sign}{value}%", "num change-down" if value < 0 else "num change-up")


def _row(name, *values, rates: tuple[int, ...] = ()) -> list[Cell]:
    """A table row: its name, then numbers (those at the indexes in ``rates`` shown as percentages)."""
    return [Cell(str(name))] + [
        Cell(_rate(v) if i in rates else _text(v), "num") for i, v in enumerate(values, start=1)
    ]


def _month(value: str) -> str:
    return value[:7]


def _summary(d: dict) -> Section | None:
    texts = paragraphs(d)
    if not texts:
        return None
    return Section(key="summary", heading=_("综述"), paragraphs=texts)


def _visits(d: dict) -> Section:
    v = d.get("visits", {})
    return Section(
        key="visits",
        heading=_("直面问 · 入户走访"),
        figures=[
            Figure(_("走访住户"), v.get("visited"), _("户"), testid="visited"),
            Figure(_("建档住户"), v.get("households"), _("户")),
            Figure(_("走访覆盖率"), v.get("coverage"), rate=True, testid="coverage"),
        ],
        definitions=[("", str(DEFINITIONS["coverage"]))],
    )


def _cases(d: dict) -> Section:
    c, res = d.get("cases", {}), d.get("resolution", {})
    tiers = c.get("by_tier", [])
    trend = res.get("trend", [])
    return Section(
        key="cases",
        heading=_("分类解 · 问题办理"),
        figures=[
            Figure(_("收集问题"), c.get("collected"), _("件"), testid="collected"),
            Figure(_("已办结"), c.get("resolved"), _("件")),
            Figure(_("在办"), c.get("open"), _("件")),
            Figure(_("平均办结时间"), res.get("mean_days"), _("天"), testid="mean-days"),
            Figure(_("计入平均用时的办结"), res.get("resolved"), _("件")),
        ],
        tables=[
            Table(
                caption=_("分级办理"),
                header=[_("办理层级"), _("收集"), _("已办结"), _("在办")],
                rows=[_row(t["tier"], t["collected"], t["resolved"], t["open"]) for t in tiers],
                testid="tiers",
                empty=_("没有办理层级。"),
            ),
            Table(
                caption=_("平均办结时间逐月"),
                header=[_("月份"), _("办结件数"), _("平均办结天数")],
                rows=[_row(_month(t["month"]), t["count"], t["mean_days"]) for t in trend],
                testid="mean-time-trend",
                empty=_("没有逐月数据。"),
                detail=True,
            ),
        ],
        charts=[
            Chart(
                "bar",
                _("分级办理"),
                [t["tier"] for t in tiers],
                [
                    (_("收集"), [t["collected"] for t in tiers]),
                    (_("已办结"), [t["resolved"] for t in tiers]),
                    (_("在办"), [t["open"] for t in tiers]),
                ],
            ),
            Chart(
                "line",
                _("平均办结时间逐月趋势(天)"),
                [t["month"][2:7] for t in trend],
                [(_("平均办结天数"), [t["mean_days"] for t in trend])],
            ),
        ],
        definitions=[("", str(DEFINITIONS["cases"])), ("", str(DEFINITIONS["mean_time"]))],
    )


def _rates(d: dict) -> Section:
    r = d.get("rates", {})
    trend = d.get("satisfaction_trend", [])
    surveys = d.get("survey_trend", [])
    return Section(
        key="rates",
        heading=_("三率与群众满意度"),
        figures=[
            Figure(_("响应率"), r.get("response_rate"), rate=True, testid="response-rate"),
            Figure(_("解决率"), r.get("resolution_rate"), rate=True, testid="resolution-rate"),
            Figure(_("满意率"), r.get("satisfaction_rate"), rate=True, testid="satisfaction-rate"),
            Figure(_("有答复的回访"), r.get("answered"), _("条")),
        ],
        tables=[
            Table(
                caption=_("各村(居)三率"),
                header=[_("村(居)"), _("响应率"), _("解决率"), _("满意率"), _("有答复回访")],
                rows=[
                    _row(
                        g["name"],
                        g["response_rate"],
                        g["resolution_rate"],
                        g["satisfaction_rate"],
                        g["answered"],
                        rates=(1, 2, 3),
                    )
                    for g in d.get("rate_groups", [])
                ],
                testid="rate-groups",
                empty=_("统计期内没有可计算三率的诉求。"),
            ),
            Table(
                caption=_("满意率逐月趋势"),
                header=[_("月份"), _("有答复回访"), _("满意率"), _("解决率"), _("响应率")],
                rows=[
                    _row(
                        _month(t["month"]),
                        t["answered"],
                        t["satisfaction_rate"],
                        t["resolution_rate"],
                        t["response_rate"],
                        rates=(2, 3, 4),
                    )
                    for t in trend
                ],
                testid="satisfaction-trend",
                empty=_("没有逐月数据。"),
                detail=True,
            ),
            Table(
                caption=_("入户满意度调查"),
                header=[_("调查"), _("日期"), _("作答户数"), _("满意率")],
                rows=[
                    [Cell(s["survey"]), Cell(s["date"]), Cell(str(s["answered"]), "num"), Cell(_rate(s["rate"]), "num")]
                    for s in surveys
                ],
                testid="survey-trend",
                empty=_("还没有入户满意度调查的答复。"),
                detail=True,
            ),
        ],
        charts=[
            Chart(
                "line",
                _("满意率、解决率逐月趋势"),
                [t["month"][2:7] for t in trend],
                [
                    (_("满意率"), [t["satisfaction_rate"] for t in trend]),
                    (_("解决率"), [t["resolution_rate"] for t in trend]),
                    (_("响应率"), [t["response_rate"] for t in trend]),
                ],
                suffix="%",
                y_max=100,
            ),
            Chart(
                "line",
                _("入户满意度调查"),
                [s["date"][2:7] for s in surveys],
                [(_("满意率"), [s["rate"] for s in surveys])],
                suffix="%",
                y_max=100,
            ),
        ],
        definitions=[
            (_("响应率"), str(DEFINITIONS["response"])),
            (_("解决率"), str(DEFINITIONS["resolution"])),
            (_("满意率"), str(DEFINITIONS["satisfaction"])),
            (_("入户调查"), str(DEFINITIONS["survey"])),
        ],
    )


def _deliberation(d: dict) -> Section:
    m = d.get("deliberation", {})
    return Section(
        key="deliberation",
        heading=_("现场议 · 议事协商"),
        figures=[
            Figure(_("大家小家座谈会"), m.get("meetings"), _("场"), testid="meetings"),
            Figure(_("上会议题"), m.get("on_agenda"), _("个")),
            Figure(_("协商解决问题"), m.get("settled"), _("个")),
            Figure(_("自行协商解决率"), m.get("self_resolution_rate"), rate=True, testid="self-resolution-rate"),
            Figure(_("党政联席会"), m.get("joint_meetings"), _("次"), testid="joint-meetings"),
            Figure(_("联席会解决难题"), m.get("joint_solved"), _("个")),
            Figure(_("联席会涉及村(居)"), m.get("joint_communities"), _("个")),
        ],
        tables=[_contest_table(r) for r in m.get("contests", [])],
        definitions=([("", m["definition"])] if m.get("definition") else [])
        + ([(_("擂台比武"), m["contest_definition"])] if m.get("contests") else []),
    )


def _score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _contest_table(r: dict) -> Table:
    return Table(
        caption=_("第%(n)s期擂台比武 · %(title)s(群众评分权重 %(w)s%%,群众选票 %(b)s 张,评委 %(j)s 人)")
        % {"n": r["number"], "title": r["title"], "w": r["resident_weight"], "b": r["ballots"], "j": r["judges"]},
        header=[
            _("村(居)"),
            _("名次"),
            _("评委得分/%(m)s") % {"m": r["full_marks"]},
            _("群众得分/%(m)s") % {"m": r["full_marks"]},
            _("选票数"),
            _("综合得分/100"),
        ],
        rows=[
            [
                Cell(e["community"]),
                Cell(str(e["rank"]), "num"),
                Cell(_score(e["judges_total"]), "num"),
                Cell(_score(e["residents_total"]), "num"),
                Cell(str(e["ballots"]), "num"),
                Cell(_score(e["combined"]), "num"),
            ]
            for e in r["entries"]
        ],
        testid="contest",
        empty=_("还没有评分。"),
    )


def _points(d: dict) -> Section:
    p = d.get("points", {})
    year = p.get("year", "")
    figures = [Figure(_("在册志愿者"), p.get("volunteers"), _("人"), testid="volunteers")]
    if "serving" in p:
        figures.append(Figure(_("%(y)s年参与服务志愿者") % {"y": year}, p["serving"], _("人")))
    figures.append(Figure(_("%(y)s年发放积分") % {"y": year}, p.get("issued_year"), _("分"), testid="points-issued"))
    if "issued_period" in p:
        figures.append(Figure(_("统计期内发放积分"), p["issued_period"], _("分")))
    figures += [
        Figure(_("%(y)s年兑换积分") % {"y": year}, p.get("redeemed_year"), _("分")),
        Figure(_("%(y)s年服务时长") % {"y": year}, p.get("hours_year"), _("小时")),
    ]
    return Section(
        key="points",
        heading=_("志愿服务与积分"),
        figures=figures,
        definitions=[("", str(DEFINITIONS["points"]))],
    )


def _cadres(d: dict) -> Section:
    w, a = d.get("warnings", {}), d.get("adjustments", {})
    since = str(a.get("since", ""))[:4]
    return Section(
        key="cadres",
        heading=_("干部考验 · 红线与调整"),
        figures=[
            Figure(_("红线季度预警"), w.get("total"), _("次"), testid="warnings"),
            Figure(_("目标进度滞后"), w.get("goals_behind"), _("次")),
            Figure(
                _("%(since)s年以来书记调整率") % {"since": since},
                a.get("replacement_ratio"),
                rate=True,
                testid="replacement",
            ),
            Figure(_("调整撤换书记"), a.get("secretaries_replaced"), _("人")),
            Figure(_("退出干部"), a.get("withdrew"), _("人")),
            Figure(_("新任干部"), a.get("appointed"), _("人")),
        ],
        tables=[
            Table(
                caption=_("红线预警"),
                header=[_("红线"), _("预警"), _("涉及书记")],
                rows=[_row(x["red_line"], x["count"], x["cadres"]) for x in w.get("by_line", [])],
                testid="warnings-by-line",
                empty=_("统计期内没有红线预警。"),
            )
        ],
        definitions=[("", str(DEFINITIONS["replacement"]))],
    )


def _talent(d: dict) -> Section:
    t = d.get("talent", {})
    return Section(
        key="talent",
        heading=_("后备人才"),
        figures=[
            Figure(_("后备人才"), t.get("total"), _("人"), testid="talent-total"),
            Figure(_("统计期内新增"), t.get("new_in_period"), _("人")),
            Figure(_("其中走访发现"), t.get("from_visits"), _("人")),
            Figure(_("回引人才"), t.get("brought_back"), _("人"), testid="brought-back"),
            Figure(_("后备书记"), t.get("reserve_secretaries"), _("人")),
        ],
        tables=[
            Table(
                caption=_("按进展"),
                header=[_("进展"), _("人数")],
                rows=[_row(s["label"], s["count"]) for s in t.get("by_stage", [])],
                testid="talent-stages",
            ),
            Table(
                caption=_("按类别"),
                header=[_("类别"), _("人数")],
                rows=[_row(s["label"], s["count"]) for s in t.get("by_kind", [])],
                testid="talent-kinds",
            ),
        ],
        definitions=[("", str(DEFINITIONS["talent"]))],
    )


def _external(d: dict) -> Section | None:
    rows = d.get("external", [])
    if not rows:
        return None  # entered per street: a community's report has none
    return Section(
        key="external",
        heading=_("市民投诉与信访"),
        tables=[
            Table(
                caption=_("市民投诉件与信访量"),
                header=[_("指标"), _("本期"), _("上年同期"), _("同比")],
                rows=[
                    [
                        Cell(e["label"]),
                        Cell(_text(e["value"]), "num"),
                        Cell(e["note"]) if e.get("note") else Cell(_text(e["year_before"]), "num"),
                        _change(e["change"]),
                    ]
                    for e in rows
                ],
                testid="external",
            )
        ],
        definitions=[("", str(DEFINITIONS["external"]))]
        + ([("", str(DEFINITIONS["hotline"]))] if any(e.get("computed") for e in rows) else []),
    )


def sections(data: dict) -> list[Section]:
    """Lay the report's figures out in the order the page shows them."""
    built = [
        _summary(data),
        _visits(data),
        _cases(data),
        _rates(data),
        _deliberation(data),
        _points(data),
        _cadres(data),
        _talent(data),
        _external(data),
    ]
    return [s for s in built if s is not None]


def document(data: dict) -> Document:
    """Return the report ready to show, from its figures as plain values (live or stored)."""
    generated = data.get("generated_at")
    generated_at = datetime.fromisoformat(generated) if generated else None
    if generated_at is not None and timezone.is_aware(generated_at):
        generated_at = timezone.localtime(generated_at)
    return Document(
        scope_name=data.get("community") or data.get("street") or "",
        period_key=str(data.get("period", "")),
        period_label=str(data.get("period_label", data.get("period", ""))),
        generated_at=generated_at,
        sections=sections(data),
        data=data,
    )
