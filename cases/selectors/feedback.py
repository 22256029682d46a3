"""Reads of anonymous feedback: the public pages (by token and lookup code), the intake queue, channel figures."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.models import Community, Street, User
from lucun.scoping import communities_for, get_scoped_or_404, has_role, scope, streets_for

from .. import public_cache
from ..models import (
    LOOKUP_ALPHABET,
    LOOKUP_LENGTH,
    TOKEN_PATTERN,
    CaseState,
    Category,
    Feedback,
    FeedbackChannel,
    FeedbackPhoto,
)
from ..permissions import DISPATCH_ROLES

_TOKEN_RE = re.compile(rf"^{TOKEN_PATTERN}$")
_CODE_RE = re.compile(rf"^[{LOOKUP_ALPHABET}]{{{LOOKUP_LENGTH}}}$")


# --- Public ----------------------------------------------------------------------------------------


def token_is_wellformed(token: str) -> bool:
    """Tell whether ``token`` has the shape of a QR token (whether or not a channel has it)."""
    return bool(token) and bool(_TOKEN_RE.fullmatch(token))


def channel_by_token(token: str) -> FeedbackChannel | None:
    """Return the channel a QR token names, or None for an unknown or malformed token.

    A channel found is kept in the cache until a street, community, category or channel changes
    (``cases.public_cache``): every phone that scans the code asks for it.
    """
    if not token_is_wellformed(token):
        return None
    key = f"cases:public-form:channel:{token}"
    channel, version = public_cache.get(key)
    if channel is None:
        channel = FeedbackChannel.objects.select_related("street", "community").filter(token=token).first()
        if channel is not None:
            public_cache.put(key, channel, version)
    return channel


def street_channels() -> list[FeedbackChannel]:
    """Return the active street-wide channels (the fallback offered on an unknown or stopped code)."""
    return list(
        FeedbackChannel.objects.filter(kind=FeedbackChannel.Kind.STREET, is_active=True)
        .select_related("street")
        .order_by("street__name")
    )


def streets_taking_feedback() -> list[Street]:
    """Return the streets with at least one community: those a villager can send feedback to."""
    return list(Street.objects.filter(communities__isnull=False).distinct().order_by("name"))


def public_form_options(*, street: Street) -> dict:
    """Return what the public form offers: the street's communities and the active categories.

    Kept in the cache until a street, community, category or channel changes (``cases.public_cache``).
    """
    key = f"cases:public-form:options:{street.pk}"
    options, version = public_cache.get(key)
    if options is None:
        options = {
            "communities": list(Community.objects.filter(street=street).order_by("sort_order", "name")),
            "categories": list(Category.objects.active().order_by("sort_order", "name")),
        }
        public_cache.put(key, options, version)
    return options


def normalize_lookup_code(raw: str | None) -> str | None:
    """Return the code in its stored form (upper case, no spaces or dashes), or None if it cannot be one."""
    code = re.sub(r"[\s\-]", "", (raw or "")).upper()
    return code if _CODE_RE.match(code) else None


def feedback_by_code(code: str | None) -> Feedback | None:
    code = normalize_lookup_code(code)
    if code is None:
        return None
    return Feedback.objects.select_related("case", "street", "community", "category").filter(lookup_code=code).first()


def _absolute(path: str, request=None) -> str:
    base = (getattr(settings, "LUCUN_PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def _public_path(name: str, **kwargs) -> str:
    """Prefer the short root-level path (/f/…, /s/…) when the project mounts it; else the one under /cases/."""
    try:
        return reverse(f"feedback:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return reverse(f"cases:feedback:{name}", kwargs=kwargs)


def feedback_channel_public_url(*, channel: FeedbackChannel, request=None) -> str:
    """Return the address a channel's QR code holds: absolute from LUCUN_PUBLIC_BASE_URL or the request."""
    return _absolute(_public_path("form", token=channel.token), request)


def feedback_status_url(*, code: str, request=None) -> str:
    return _absolute(_public_path("status", code=code), request)


@dataclass
class FeedbackStatus:
    """What the sender sees: a stage on the three steps, and the public reply when resolved."""

    stage: str  # received | handling | resolved | closed
    label: str
    message: str
    steps: list[dict] = field(default_factory=list)
    public_reply: str = ""
    resolved_on: datetime | None = None
    case_number: str = ""


STAGES = ("received", "handling", "resolved")


def feedback_status(feedback: Feedback) -> FeedbackStatus:
    """Translate the message's state and its case's state into the sender's three steps (never internal notes)."""
    state, case = feedback.state, feedback.case
    public_reply, resolved_on, number = "", None, ""
    if state == Feedback.State.NEW:
        stage, label, message = "received", _("已收到"), _("您的反映已收到,工作人员会尽快查看。")
    elif state in (Feedback.State.SPAM, Feedback.State.NOT_ACTIONABLE):
        stage, label = "closed", _("已查看")
        message = _("工作人员已查看您的反映,暂时无法作为诉求办理。如有疑问,请拨打街道服务热线。")
    elif case is not None and case.state in (CaseState.RESOLVED, CaseState.CLOSED):
        stage, label, message = "resolved", _("已办结"), _("您反映的问题已办结。")
        public_reply = case.public_reply or _("问题已处理,感谢您的反映。")
        resolved_on = case.resolved_at
        number = case.number
    elif case is not None and case.state == CaseState.CANCELLED:
        stage, label = "closed", _("已结束")
        message = _("该问题已结束办理。如有疑问,请拨打街道服务热线。")
        number = case.number
    else:
        stage, label, message = "handling", _("办理中"), _("您反映的问题正在办理,请耐心等待。")
        number = case.number if case else ""
    reached = STAGES.index(stage) if stage in STAGES else 0
    names = {"received": _("已收到"), "handling": _("办理中"), "resolved": _("已办结")}
    steps = [
        {"key": key, "label": names[key], "done": i <= reached and stage != "closed", "current": key == stage}
        for i, key in enumerate(STAGES)
    ]
    return FeedbackStatus(
        stage=stage,
        label=label,
        message=message,
        steps=steps,
        public_reply=public_reply,
        resolved_on=resolved_on,
        case_number=number,
    )


# --- Staff ------------------------------------------------------------------------------------------


def feedback_queue(*, user: User, filters: dict | None = None) -> QuerySet[Feedback]:
    """Return the messages the user may triage, filtered (default: waiting ones), newest first."""
    filters = filters or {}
    queryset = scope(Feedback.objects.all(), user).select_related("community", "category", "channel", "case")
    queryset = queryset.annotate(photo_count=Count("photos"))
    state = filters.get("state", Feedback.State.NEW)
    if state and state != "all":
        queryset = queryset.filter(state=state)
    if filters.get("community"):
        queryset = queryset.filter(community=filters["community"])
    if filters.get("kind"):
        queryset = queryset.filter(channel__kind=filters["kind"])
    if filters.get("channel"):
        queryset = queryset.filter(channel=filters["channel"])
    if filters.get("q"):
        queryset = queryset.filter(text__icontains=filters["q"].strip())
    return queryset.order_by("-received_at", "-id")


def feedback_get(*, user: User, pk: int) -> Feedback:
    """Return one message the user may see (404 otherwise), with its photos."""
    return get_scoped_or_404(
        Feedback.objects.select_related(
            "community__street", "category", "channel", "case", "triaged_by", "redacted_by"
        ).prefetch_related(Prefetch("photos", queryset=FeedbackPhoto.objects.order_by("pk"))),
        user,
        pk=pk,
    )


def feedback_photos_visible(*, user: User) -> QuerySet[FeedbackPhoto]:
    """Return the photos of the messages the user may open: a triage role and the message's community in scope."""
    if not has_role(user, DISPATCH_ROLES):
        return FeedbackPhoto.objects.none()
    return scope(FeedbackPhoto.objects.all(), user, "feedback__community")


def channels_for(*, user: User) -> QuerySet[FeedbackChannel]:
    """Return the channels the user may see: those of visible communities and the visible streets' codes."""
    return FeedbackChannel.objects.filter(
        Q(community__in=communities_for(user)) | Q(community__isnull=True, street__in=streets_for(user))
    ).select_related("street", "community")


@dataclass
class ChannelFigures:
    months: list[datetime]
    channels: list[dict]
    by_kind: list[dict]
    by_community: list[dict]
    total: int


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def channel_figures(*, user: User, months: int = 12, now: datetime | None = None) -> ChannelFigures:
    """Count messages per channel, per channel kind and per community, month by month, from the data.

    Three grouped queries plus one for the channels, whatever the number of messages.
    """
    now = now or timezone.now()
    first = _month_start(now)
    for _i in range(months - 1):
        first = _month_start(first - timedelta(days=1))
    month_list = [first]
    while len(month_list) < months:
        month_list.append(_month_start(month_list[-1] + timedelta(days=32)))
    keys = [m.strftime("%Y-%m") for m in month_list]

    messages = scope(Feedback.objects.filter(received_at__gte=first), user).order_by()
    tz = timezone.get_current_timezone()

    def grid(rows, key_field) -> dict:
        table: dict = {}
        for row in rows:
            month = timezone.localtime(row["month"], tz).strftime("%Y-%m") if row["month"] else ""
            table.setdefault(row[key_field], dict.fromkeys(keys, 0))
            if month in table[row[key_field]]:
                table[row[key_field]][month] += row["n"]
        return table

    monthly = messages.annotate(month=TruncMonth("received_at", tzinfo=tz))
    per_channel = grid(monthly.values("channel_id", "month").annotate(n=Count("pk")), "channel_id")
    per_kind = grid(monthly.values("channel__kind", "month").annotate(n=Count("pk")), "channel__kind")
    per_community = grid(monthly.values("community_id", "month").annotate(n=Count("pk")), "community_id")

    channel_rows = []
    for channel in channels_for(user=user).order_by("kind", "community__sort_order", "label"):
        counts = per_channel.get(channel.pk, dict.fromkeys(keys, 0))
        channel_rows.append({"channel": channel, "months": [counts[k] for k in keys], "total": sum(counts.values())})
    channel_rows.sort(key=lambda r: (-r["total"], r["channel"].label))
    kind_labels = dict(FeedbackChannel.Kind.choices)
    kind_rows = [
        {
            "kind": kind,
            "label": kind_labels.get(kind, _("无渠道")),
            "months": [per_kind.get(kind, {}).get(k, 0) for k in keys],
            "total": sum(per_kind.get(kind, {}).values()),
        }
        for kind in [*FeedbackChannel.Kind.values, None]
        if kind in per_kind
    ]
    names = dict(communities_for(user).order_by().values_list("pk", "name"))
    community_rows = sorted(
        (
            {
                "community_id": cid,
                "name": names.get(cid, ""),
                "months": [counts[k] for k in keys],
                "total": sum(counts.values()),
            }
            for cid, counts in per_community.items()
        ),
        key=lambda r: (-r["total"], r["name"]),
    )
    return ChannelFigures(
        months=month_list,
        channels=channel_rows,
        by_kind=kind_rows,
        by_community=community_rows,
        total=sum(r["total"] for r in community_rows),
    )
