import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from . import home as home_panels
from . import search as site_search
from . import selectors, services
from .forms import SmsNoticesForm
from .scoping import communities_for, user_positions


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """工作台: what this person must do today, from the panels the apps register (lucun.home)."""
    positions = user_positions(request.user)
    context = {
        "positions": positions,
        "community_count": communities_for(request.user).count(),
        "panels": home_panels.panels_for(request.user) if positions or request.user.is_superuser else [],
    }
    return render(request, "lucun/home.html", context)


SEARCH_PAGE_SIZE = 20


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """站内搜索: cases, feedback and households of the person's communities (``lucun.search``), one kind a page."""
    results = site_search.search(user=request.user, raw=request.GET.get("q"), kind=request.GET.get("kind", ""))
    page_obj, hits = None, []
    if results.rows is not None:
        page_obj = Paginator(results.rows, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        hits = results.hits(page_obj.object_list, user=request.user)
    context = {
        "results": results,
        "q": (request.GET.get("q") or "").strip(),
        "page_obj": page_obj,
        "hits": hits,
        "min_length": site_search.MIN_LENGTH,
    }
    return render(request, "lucun/search.html", context)


@login_required
def org_tree(request: HttpRequest) -> HttpResponse:
    return render(request, "lucun/org_tree.html", {"streets": selectors.org_tree(user=request.user)})


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "lucun/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def notification_mark_read(request: HttpRequest) -> HttpResponse:
    ids = request.POST.getlist("id")
    try:
        id_list = [int(i) for i in ids] if ids else None
    except ValueError:
        messages.error(request, _("消息编号无效。"))
        return redirect("notification_list")
    marked = services.notification_mark_read(user=request.user, notification_ids=id_list)
    if id_list is None:
        messages.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": marked})
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("notification_list")


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """我的设置: what the signed-in person chooses for themselves (SMS reminders)."""
    user = request.user
    form = SmsNoticesForm(request.POST or None, initial={"sms_notices": user.sms_notices})
    if request.method == "POST" and form.is_valid():
        services.user_sms_notices_set(user=user, enabled=form.cleaned_data["sms_notices"])
        messages.success(request, _("已保存。"))
        return redirect("account_settings")
    phone = user.phone or ""
    context = {
        "form": form,
        "masked_phone": f"{phone[:3]}****{phone[-4:]}" if phone else "",
        "phone_is_mobile": bool(re.fullmatch(r"1\d{10}", phone)),
    }
    return render(request, "lucun/account_settings.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer the load balancer: the process is up and the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@csrf_exempt
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language (Django's set_language) from the footer of every page, the public ones included.

    Without a CSRF check: the anonymous feedback pages set no cookie, so they have no CSRF token to send, and
    a forged switch of someone's language does no harm. The ``next`` address is checked as Django checks it.
    """
    return set_language(request)
