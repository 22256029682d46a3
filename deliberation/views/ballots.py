"""擂台比武's resident ballots: the public page a ballot's QR code opens (no login), and the staff page that issues,
prints and voids ballots and sets the residents' weight in the ranking."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lucun.errors import page_errors, require_permission
from lucun.http import secret_page
from lucun.printing import absolute_url

from .. import forms, permissions, printing, selectors, services
from ..models import ContestCriterion, Meeting
from ..ratelimit import ballot_limit_exceeded

PAGE_SIZE = 50
# Above this many unused ballots the PDF is refused: print in smaller issues.
PRINT_MAX = 2000
_limit = ballot_limit_exceeded


def _public(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"deliberation/ballot/{template}", context, status=status)


@csrf_exempt  # as the feedback form: no login or session to protect; abuse is held back by the rate limit
@secret_page
@require_http_methods(["GET", "POST"])
def ballot_form(request: HttpRequest, token: str) -> HttpResponse:
    """The page a ballot's QR code opens: every community with large tiles per criterion, submitted once."""
    if _limit(request, "unknown", count=False):
        return _public(request, "limited.html", {}, status=429)
    ballot = selectors.contest_ballot_by_token(token)
    if ballot is None:
        _limit(request, "unknown")
        return _public(request, "unknown.html", {}, status=404)
    meeting = ballot.meeting
    context = {"meeting": meeting, "street": meeting.street, "hotline": meeting.street.hotline}
    if ballot.voided_at is not None or ballot.used_at is not None or meeting.cancelled_at is not None:
        return _public(request, "closed.html", {**context, "ballot": ballot}, status=410)
    communities = list(selectors.contest_communities(meeting=meeting))
    criteria = list(ContestCriterion.objects.active())
    form = forms.BallotForm(
        request.POST if request.method == "POST" else None, communities=communities, criteria=criteria
    )
    if request.method == "POST":
        if _limit(request, "submit"):
            return _public(request, "limited.html", context, status=429)
        if form.is_valid():
            with page_errors(request, form) as call:
                services.contest_ballot_submit(token=token, scores=form.scores())
            if call.ok:
                return _public(request, "thanks.html", {**context, "communities": len(form.scores()) // len(criteria)})
        return _public(request, "form.html", {**context, "form": form, "groups": form.groups()}, status=400)
    return _public(request, "form.html", {**context, "form": form, "groups": form.groups()})


def _contest(request: HttpRequest, pk: int) -> Meeting:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if meeting.kind != Meeting.Kind.CONTEST:
        raise Http404
    require_permission(permissions.can_manage(request.user, meeting), _("您不能管理该会议。"))
    return meeting


def _page(request: HttpRequest, meeting: Meeting, *, failed: str = "", form=None, status: int = 200) -> HttpResponse:
    ballots = Paginator(selectors.contest_ballots(meeting=meeting).select_related("voided_by"), PAGE_SIZE)
    bound = {failed: form} if failed else {}
    context = {
        "meeting": meeting,
        "counts": selectors.contest_ballot_counts(meeting=meeting),
        "page_obj": ballots.get_page(request.GET.get("page")),
        "issue_form": bound.get("issue") or forms.BallotIssueForm(),
        "void_form": bound.get("void") or forms.BallotVoidForm(),
        "weight_form": bound.get("weight")
        or forms.BallotWeightForm(initial={"resident_weight": meeting.resident_weight}),
        "is_open": meeting.cancelled_at is None,
        "print_max": PRINT_MAX,
    }
    return render(request, "deliberation/ballots.html", context, status=status)


@login_required
def ballot_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The contest's ballots: how many were issued, used and voided, each ballot's state, and the forms."""
    return _page(request, _contest(request, pk))


def _run(request: HttpRequest, meeting: Meeting, action: str, form) -> str:
    data = form.cleaned_data
    if action == "issue":
        ballots = services.contest_ballots_issue(meeting=meeting, user=request.user, count=data["count"])
        return _("已发放选票 %(n)d 张(票号 %(first)d—%(last)d),请下载打印。") % {
            "n": len(ballots),
            "first": ballots[0].pk,
            "last": ballots[-1].pk,
        }
    if action == "void":
        ids = None
        if data.get("first") or data.get("last"):
            first, last = data.get("first") or 1, data.get("last") or data.get("first")
            ids = list(
                selectors.contest_ballots(meeting=meeting)
                .filter(pk__gte=min(first, last), pk__lte=max(first, last))
                .values_list("pk", flat=True)
            )
        voided = services.contest_ballots_void(
            meeting=meeting, user=request.user, reason=data["reason"], ballot_ids=ids
        )
        return _("已作废未使用的选票 %(n)d 张。") % {"n": voided}
    services.contest_weight_set(meeting=meeting, user=request.user, resident_weight=data["resident_weight"])
    return _("群众评分权重已设为 %(n)d%%。") % {"n": data["resident_weight"]}


BALLOT_FORMS = {"issue": forms.BallotIssueForm, "void": forms.BallotVoidForm, "weight": forms.BallotWeightForm}


@login_required
@require_POST
def ballot_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _contest(request, pk)
    if action not in BALLOT_FORMS:
        raise Http404
    form = BALLOT_FORMS[action](request.POST)
    if form.is_valid():
        with page_errors(request, form, database_errors=True) as call:
            done = _run(request, meeting, action, form)
        if call.ok:
            messages.success(request, done)
            return redirect(reverse("deliberation:ballot_list", kwargs={"pk": meeting.pk}))
    meeting.refresh_from_db()
    return _page(request, meeting, failed=action, form=form, status=400)


@login_required
@secret_page
def ballot_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of the contest's unused ballots, eight to an A4 page, each with its own QR code."""
    meeting = _contest(request, pk)
    unused = selectors.contest_ballots(meeting=meeting).filter(used_at__isnull=True, voided_at__isnull=True)
    count = unused.count()
    if not count or count > PRINT_MAX:
        messages.error(
            request,
            _("没有未使用的选票可打印。")
            if not count
            else _("未使用的选票超过 %(max)d 张,请先作废不用的选票。") % {"max": PRINT_MAX},
        )
        return redirect(reverse("deliberation:ballot_list", kwargs={"pk": meeting.pk}))
    out = io.BytesIO()
    printing.ballot_sheets_pdf(
        out,
        title=meeting.title,
        street=meeting.street.name,
        ballots=(
            (ballot.pk, absolute_url(reverse("ballot:form", kwargs={"token": ballot.token}), request))
            for ballot in unused.only("pk", "token").iterator()
        ),
        count=count,
    )
    response = HttpResponse(out.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contest-ballots-{meeting.pk}.pdf"'
    return response


__all__ = ["ballot_action", "ballot_form", "ballot_list", "ballot_print"]
