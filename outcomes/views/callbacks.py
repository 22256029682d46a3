"""回访 and the household satisfaction surveys."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from cases import permissions as case_permissions
from cases import selectors as case_selectors
from lucun.bulk.views import page_context as bulk_context
from lucun.errors import error_message, flash_refused, page_errors, require_permission
from lucun.scoping import communities_for, communities_with_role, streets_for
from lucun.text import mask_phone
from visits.models import VisitTeam

from .. import forms, permissions, selectors, services
from ..independence import callback_candidates, dependence, dependent_assignee
from ..models import Callback
from ..report.records import survey_trend_by_community
from ..services.callbacks import CALLBACK_WINDOW
from .common import page

STATES = forms.CALLBACK_STATES
ASSIGN_REFUSED = _lazy("只有纪工委或街道班子成员可以指派回访人员。")
CREATE_REFUSED = _lazy("只有纪工委或街道班子成员可以生成回访。")


@login_required
def callback_list(request: HttpRequest) -> HttpResponse:
    state = forms.callback_state(request.GET)
    qs = selectors.callback_list(user=request.user, state="" if state == "all" else state)
    context = {
        "page_obj": page(request, qs),
        "state": state,
        "states": STATES,
        "can_create": permissions.can_create_callback(request.user),
    }
    return render(
        request, "outcomes/callback_list.html", {**context, **bulk_context(request, "outcomes:callback_list")}
    )


@login_required
def callback_missing(request: HttpRequest) -> HttpResponse:
    """待生成回访: the resolved cases the periodic job gave no callback (resolved before its window), for the
    supervisor and the street leaders to tick and make (the bulk action 生成回访)."""
    require_permission(permissions.can_create_callback(request.user), CREATE_REFUSED)
    communities = communities_with_role(request.user, permissions.CALLBACK_CREATE_ROLES).order_by("sort_order", "name")
    filter_form = forms.CallbackMissingFilterForm(request.GET or None, communities=communities)
    qs = selectors.callback_missing_list(user=request.user, filters=filter_form.filters())
    context = {
        "page_obj": page(request, qs),
        "filter_form": filter_form,
        "states": STATES,
        "window_days": CALLBACK_WINDOW.days,
    }
    return render(
        request, "outcomes/callback_missing.html", {**context, **bulk_context(request, "outcomes:callback_missing")}
    )


@login_required
@require_POST
def callback_create(request: HttpRequest, number: str) -> HttpResponse:
    """生成回访 from the case page: the callback of one resolved case the periodic job left without one."""
    case = case_selectors.case_get(user=request.user, number=number)
    with page_errors(request) as call:
        callback = services.callback_create_for_case(case=case, actor=request.user)
    if not call.ok:
        return redirect(case)
    messages.success(request, services.callback_created_summary(callback))
    if selectors.callback_list(user=request.user).filter(pk=callback.pk).exists():
        return redirect(callback.get_absolute_url())
    return redirect(case)


def _waiting(callback: Callback) -> bool:
    return (
        callback.mode == Callback.Mode.STAFF
        and callback.answered_at is None
        and callback.round == callback.case.reopen_count
    )


def _assign_form(request: HttpRequest, callback: Callback, data=None) -> forms.CallbackAssignForm | None:
    """The form giving the callback to someone of the pool, for those who assign; None for the others."""
    if not (_waiting(callback) and permissions.can_assign_callback(request.user, callback.community)):
        return None
    # Its own ids: the callback form on the same page has a "note" too.
    return forms.CallbackAssignForm(data, candidates=callback_candidates(callback=callback), auto_id="assign_%s")


@login_required
def callback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.callback_get(user=request.user, pk=pk)
    case = callback.case
    # The case's handler and first responder never call it back (outcomes.independence).
    not_independent = dependence(request.user, case)
    can_record = (
        _waiting(callback) and permissions.can_record_callback(request.user, callback.community) and not not_independent
    )
    form = forms.CallbackForm(request.POST or None)
    if request.method == "POST" and can_record and form.is_valid():
        data = form.cleaned_data
        with page_errors(request, form) as call:
            services.callback_record(
                callback=callback,
                user=request.user,
                contacted=data["contacted"] == "yes",
                method=data["method"],
                solved=(data["solved"] == "yes") if data["solved"] else None,
                satisfaction=data["satisfaction"] or "",
                note=data["note"],
            )
        if call.ok:
            messages.success(request, _("回访已记录。"))
            return redirect(callback.get_absolute_url())
    return render(
        request,
        "outcomes/callback_detail.html",
        {
            "callback": callback,
            "case": case,
            "form": form,
            "can_record": can_record,
            "not_independent": not_independent if _waiting(callback) else "",
            "dependent_assignee": dependent_assignee(callback),
            "assign_form": _assign_form(request, callback),
            "phone": mask_phone(case.contact_phone),
            "answers": selectors.sender_answers(callback=callback),
            "can_close": case.state == "resolved"
            and (callback.answered_at or callback.mode == Callback.Mode.ANONYMOUS)
            and case_permissions.can_dispatch(request.user, case),
        },
    )


@login_required
@require_POST
def callback_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the callback to a person of the pool (never the case's handler or first responder)."""
    callback = selectors.callback_get(user=request.user, pk=pk)
    require_permission(permissions.can_assign_callback(request.user, callback.community), ASSIGN_REFUSED)
    form = _assign_form(request, callback, request.POST)
    if form is None:
        messages.error(request, _("该回访已记录或已失效,无需指派。"))
    elif not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("未能指派:%(problems)s") % {"problems": error_message(ValidationError(problems))})
    else:
        with page_errors(request, form) as call:
            services.callback_assign(
                callback=callback,
                user=request.user,
                assignee=form.cleaned_data["assignee"],
                note=form.cleaned_data["note"],
            )
        if call.ok:
            messages.success(
                request, _("已指派 %(name)s 回访,并已通知本人。") % {"name": form.cleaned_data["assignee"]}
            )
        else:
            flash_refused(request, _("指派"), form)
    return redirect(callback.get_absolute_url())


@login_required
@require_POST
def callback_close(request: HttpRequest, pk: int) -> HttpResponse:
    callback = selectors.callback_get(user=request.user, pk=pk)
    with page_errors(request) as call:
        services.callback_close_case(callback=callback, user=request.user)
    if call.ok:
        messages.success(request, _("诉求已归档。"))
    return redirect(callback.get_absolute_url())


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    can_start = permissions.can_supervise(request.user)
    form = forms.SurveyStartForm(request.POST or None)
    visible = communities_for(request.user).order_by("sort_order", "name")
    form.fields["communities"].queryset = visible
    if request.method == "POST" and can_start and form.is_valid():
        street = streets_for(request.user).order_by("name").first()
        with page_errors(request, form) as call:
            survey = services.survey_start(
                user=request.user,
                street=street,
                title=form.cleaned_data["title"],
                sample_size=form.cleaned_data["sample_size"],
                closes_on=form.cleaned_data["closes_on"],
                communities=list(form.cleaned_data["communities"]) or None,
            )
        if call.ok:
            messages.success(request, _("调查已发起,样本已抽取。"))
            return redirect(survey.get_absolute_url())
    trend = survey_trend_by_community(visible)
    rows = [{"name": c.name, "points": trend.get(c.pk, [])} for c in visible if c.pk in trend]
    surveys = selectors.survey_list(user=request.user)
    headers = sorted({p["survey"] for r in rows for p in r["points"]}, key=lambda t: t)
    return render(
        request,
        "outcomes/survey_list.html",
        {"page_obj": page(request, surveys), "form": form, "can_start": can_start, "rows": rows, "headers": headers},
    )


def _answerable(user, samples) -> list[dict]:
    """Each sample with whether this user may record its answer (the team's members, the supervisors)."""
    return [{"sample": s, "can_answer": permissions.can_answer_sample(user, s)} for s in samples]


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    community_id = request.GET.get("community")
    community = None
    if community_id and community_id.isdigit():
        community = communities_for(request.user).filter(pk=int(community_id)).first()
    my_teams = permissions.survey_team_ids(request.user)
    teams = list(VisitTeam.objects.filter(street=survey.street).order_by("sort_order", "name"))
    team = request.GET.get("team", "")
    if team != "mine" and not (team.isdigit() and int(team) in {t.pk for t in teams}):
        team = ""
    samples = selectors.survey_samples(
        user=request.user, survey=survey, community=community, team=int(team) if team.isdigit() else team
    )
    page_obj = page(request, samples, size=20)
    return render(
        request,
        "outcomes/survey_detail.html",
        {
            "survey": survey,
            "page_obj": page_obj,
            "samples": _answerable(request.user, page_obj),
            "communities": communities_for(request.user).filter(street=survey.street).order_by("sort_order"),
            "community": community,
            "teams": teams,
            "team": team,
            "has_teams": bool(my_teams),
            "form": forms.SurveyAnswerForm(),
            "can_close": permissions.can_supervise(request.user) and survey.closed_at is None,
        },
    )


SAMPLE_STATES = [("pending", _lazy("待调查")), ("answered", _lazy("已记录"))]


@login_required
def my_samples(request: HttpRequest) -> HttpResponse:
    """The sampled households of open rounds that the user's visit teams are to ask."""
    state = request.GET.get("state", "pending")
    state = state if state in dict(SAMPLE_STATES) else "pending"
    page_obj = page(request, selectors.my_survey_samples(user=request.user, answered=state == "answered"), size=20)
    return render(
        request,
        "outcomes/my_samples.html",
        {
            "page_obj": page_obj,
            "samples": _answerable(request.user, page_obj),
            "state": state,
            "states": SAMPLE_STATES,
            "has_teams": bool(permissions.survey_team_ids(request.user)),
            "form": forms.SurveyAnswerForm(),
        },
    )


@login_required
@require_POST
def sample_answer(request: HttpRequest, pk: int) -> HttpResponse:
    sample = selectors.sample_get(user=request.user, pk=pk)
    form = forms.SurveyAnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with page_errors(request) as call:
            services.survey_answer(
                user=request.user,
                sample=sample,
                contacted=data["contacted"] == "yes",
                method=data["method"],
                satisfaction=data["satisfaction"] or "",
                note=data["note"],
            )
        if call.ok:
            messages.success(request, _("已记录 %(name)s 的答复。") % {"name": sample.household.head_name})
    else:
        messages.error(request, _("请选择联系情况和调查形式。"))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(f"{sample.survey.get_absolute_url()}?{request.GET.urlencode()}")


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    with page_errors(request):
        services.survey_close(user=request.user, survey=survey)
    return redirect(survey.get_absolute_url())
