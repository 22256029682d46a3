"""工作成效: the outcome report page, its Excel and PDF, the three rates, figures entered from outside."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.scoping import communities_for, streets_for

from .. import forms, permissions, rates, selectors, services
from ..periods import Period, choices
from ..report import charts
from ..report.figures import report, survey_trend_by_community
from ..report.pdf import report_pdf
from ..report.xlsx import report_xlsx
from .common import ERRORS, chosen_scope, page


def _report(request: HttpRequest):
    street, community = chosen_scope(request)
    period = Period.parse(request.GET.get("period"))
    return report(user=request.user, period=period, street=street, community=community)


def _charts(r) -> dict:
    months = [row["month"][2:7] for row in r.satisfaction_trend]
    return {
        "satisfaction": charts.line_chart(
            title=_("满意率、解决率逐月趋势"),
            labels=months,
            series=[
                (_("满意率"), [row["satisfaction_rate"] for row in r.satisfaction_trend]),
                (_("解决率"), [row["resolution_rate"] for row in r.satisfaction_trend]),
                (_("响应率"), [row["response_rate"] for row in r.satisfaction_trend]),
            ],
            suffix="%",
            y_max=100,
        ),
        "mean_time": charts.line_chart(
            title=_("平均办结时间逐月趋势(天)"),
            labels=[row["month"][2:7] for row in r.resolution["trend"]],
            series=[(_("平均办结天数"), [row["mean_days"] for row in r.resolution["trend"]])],
        ),
        "tiers": charts.bar_chart(
            title=_("分级办理"),
            labels=[t["tier"] for t in r.cases["by_tier"]],
            series=[
                (_("收集"), [t["collected"] for t in r.cases["by_tier"]]),
                (_("已办结"), [t["resolved"] for t in r.cases["by_tier"]]),
                (_("在办"), [t["open"] for t in r.cases["by_tier"]]),
            ],
        ),
        "survey": charts.line_chart(
            title=_("入户满意度调查"),
            labels=[s["date"][2:7] for s in r.survey_trend],
            series=[(_("满意率"), [s["rate"] for s in r.survey_trend])],
            suffix="%",
            y_max=100,
        ),
    }


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    r = _report(request)
    visible = communities_for(request.user).filter(street=r.street).order_by("sort_order", "name")
    return render(
        request,
        "outcomes/report.html",
        {
            "r": r,
            "charts": _charts(r),
            "periods": choices(),
            "communities": visible,
            "streets": streets_for(request.user).order_by("name"),
            "query": request.GET.urlencode(),
            "can_enter_external": permissions.can_enter_external(request.user) and r.community is None,
        },
    )


def _filename(r, ext: str) -> str:
    from urllib.parse import quote

    name = f"{r.scope_name}-工作成效-{r.period.key}.{ext}"
    return f"attachment; filename=\"outcomes-{r.period.key}.{ext}\"; filename*=UTF-8''{quote(name)}"


@login_required
def report_excel(request: HttpRequest) -> HttpResponse:
    r = _report(request)
    response = HttpResponse(
        report_xlsx(r), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _filename(r, "xlsx")
    return response


@login_required
def report_print(request: HttpRequest) -> HttpResponse:
    r = _report(request)
    response = HttpResponse(report_pdf(r), content_type="application/pdf")
    response["Content-Disposition"] = _filename(r, "pdf").replace("attachment", "inline")
    return response


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    street, community = chosen_scope(request)
    period = Period.parse(request.GET.get("period"))
    dimension = request.GET.get("dimension", "community")
    dimension = dimension if dimension in rates.DIMENSIONS and dimension != "street" else "community"
    bucket = request.GET.get("bucket") if request.GET.get("bucket") in rates.BUCKETS else None
    visible = communities_for(request.user).filter(street=street)
    scoped = visible.filter(pk=community.pk) if community else visible
    result = rates.rates(communities=scoped, period=period, dimension=dimension, bucket=bucket)
    trend = survey_trend_by_community(scoped)
    survey_rows = [
        {"name": c.name, "points": trend.get(c.pk, [])} for c in scoped.order_by("sort_order", "name") if c.pk in trend
    ]
    return render(
        request,
        "outcomes/rates.html",
        {
            "result": result,
            "street": street,
            "community": community,
            "periods": choices(),
            "dimensions": [(k, v) for k, v in rates.DIMENSION_LABELS.items() if k != "street"],
            "communities": visible.order_by("sort_order", "name"),
            "survey_rows": survey_rows,
        },
    )


@login_required
def external_figures(request: HttpRequest) -> HttpResponse:
    street, _community = chosen_scope(request)
    allowed = permissions.can_enter_external(request.user)
    form = forms.ExternalFigureForm(request.POST or None)
    if request.method == "POST":
        if not allowed:
            messages.error(request, _("您的职务不能录入外部数据。"))
        elif form.is_valid():
            try:
                services.external_figure_record(user=request.user, street=street, **form.cleaned_data)
            except ERRORS as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect(f"{request.path}?street={street.pk}")
    return render(
        request,
        "outcomes/external.html",
        {
            "form": form,
            "street": street,
            "allowed": allowed,
            "page_obj": page(request, selectors.external_list(user=request.user).filter(street=street)),
            "today": timezone.localdate(),
        },
    )
