"""工作成效: the report page with its Excel and PDF, the stored monthly reports, the three rates, external figures."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import page_errors, require_permission
from lucun.scoping import communities_for, is_street_level, streets_for

from .. import forms, permissions, rates, selectors, services
from ..models import ReportSnapshot
from ..periods import Period, choices
from ..report import charts
from ..report.figures import report
from ..report.pdf import report_pdf
from ..report.records import survey_trend_by_community
from ..report.sections import Document, document
from ..report.xlsx import report_xlsx
from .common import chosen_scope, page


def _report(request: HttpRequest):
    street, community = chosen_scope(request)
    period = Period.parse(request.GET.get("period"))
    return report(user=request.user, period=period, street=street, community=community)


def _blocks(doc: Document) -> list[dict]:
    """Each section with its charts drawn as SVG, for the page."""
    return [{"section": s, "charts": [charts.svg(c) for c in s.charts]} for s in doc.sections]


def _filename(doc: Document, ext: str, disposition: str = "attachment") -> str:
    from urllib.parse import quote

    name = f"{doc.scope_name}-工作成效-{doc.period_key}.{ext}"
    return f"{disposition}; filename=\"outcomes-{doc.period_key}.{ext}\"; filename*=UTF-8''{quote(name)}"


def _xlsx_response(doc: Document) -> HttpResponse:
    response = HttpResponse(
        report_xlsx(doc), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _filename(doc, "xlsx")
    return response


def _pdf_response(doc: Document, note: str) -> HttpResponse:
    response = HttpResponse(report_pdf(doc, note=note), content_type="application/pdf")
    response["Content-Disposition"] = _filename(doc, "pdf", "inline")
    return response


def _live_note(doc: Document) -> str:
    return _("以下数字均由系统数据实时计算,生成于 %(at)s。") % {"at": f"{doc.generated_at:%Y-%m-%d %H:%M}"}


def _snapshot_note(doc: Document, snapshot: ReportSnapshot) -> str:
    return _("月度报告存档:以下数字为 %(at)s 生成并报送时所存,此后数据的变化不会改变本报告。") % {
        "at": f"{timezone.localtime(snapshot.created_at):%Y-%m-%d %H:%M}"
    }


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    r = _report(request)
    doc = document(r.as_dict())
    visible = communities_for(request.user).filter(street=r.street).order_by("sort_order", "name")
    rates_query = {"period": r.period.key, **({"community": r.community.pk} if r.community else {})}
    return render(
        request,
        "outcomes/report.html",
        {
            "r": r,
            "doc": doc,
            "blocks": _blocks(doc),
            "note": _live_note(doc),
            "rates_link": f"{reverse('outcomes:rates')}?{urlencode(rates_query)}",
            "periods": choices(),
            "communities": visible,
            "streets": streets_for(request.user).order_by("name"),
            "query": request.GET.urlencode(),
            "can_enter_external": permissions.can_enter_external(request.user) and r.community is None,
            "shows_snapshots": is_street_level(request.user),
        },
    )


@login_required
def report_excel(request: HttpRequest) -> HttpResponse:
    return _xlsx_response(document(_report(request).as_dict()))


@login_required
def report_print(request: HttpRequest) -> HttpResponse:
    doc = document(_report(request).as_dict())
    return _pdf_response(doc, _live_note(doc))


@login_required
def snapshot_list(request: HttpRequest) -> HttpResponse:
    snapshots = page(request, selectors.snapshot_list(user=request.user))
    rows = [{"snapshot": s, "doc": document(s.data)} for s in snapshots]
    return render(
        request,
        "outcomes/snapshot_list.html",
        {"page_obj": snapshots, "rows": rows, "street_level": is_street_level(request.user)},
    )


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.snapshot_get(user=request.user, pk=pk)
    doc = document(snapshot.data)
    return render(
        request,
        "outcomes/snapshot_detail.html",
        {"snapshot": snapshot, "doc": doc, "blocks": _blocks(doc), "note": _snapshot_note(doc, snapshot)},
    )


@login_required
def snapshot_excel(request: HttpRequest, pk: int) -> HttpResponse:
    return _xlsx_response(document(selectors.snapshot_get(user=request.user, pk=pk).data))


@login_required
def snapshot_print(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = selectors.snapshot_get(user=request.user, pk=pk)
    doc = document(snapshot.data)
    return _pdf_response(doc, _snapshot_note(doc, snapshot))


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
        require_permission(allowed, _("您的职务不能录入外部数据。"))
        if form.is_valid():
            with page_errors(request, form) as call:
                services.external_figure_record(user=request.user, street=street, **form.cleaned_data)
            if call.ok:
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
