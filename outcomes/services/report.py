"""The report's writes: figures entered from outside the system, and the monthly snapshot for the leaders."""

import json
from datetime import date

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.errors import require, require_permission
from lucun.models import Position, Role, Street, User
from lucun.services import audit_record, notification_send

from .. import permissions
from ..audit import AuditAction
from ..models import ExternalFigure, ReportSnapshot
from ..periods import Period


@transaction.atomic
def external_figure_record(
    *, user: User, street: Street, kind: str, month: date, value: int, source: str = ""
) -> ExternalFigure:
    """Enter a month's citizen complaints or petitions; a month already entered is corrected in place (audited)."""
    require_permission(
        permissions.can_enter_external(user) and street.pk in _streets_of(user), _("您的职务不能录入该街道的数据。")
    )
    require(kind in ExternalFigure.Kind.values, _("请选择指标。"))
    require(value >= 0, _("数量不能为负数。"))
    month = month.replace(day=1)
    require(month <= timezone.localdate(), _("不能录入未来月份的数据。"))
    existing = ExternalFigure.objects.select_for_update().filter(street=street, kind=kind, month=month).first()
    before = {"value": existing.value} if existing else None
    if existing:
        existing.value, existing.source, existing.recorded_by = value, source.strip(), user
        existing.recorded_at = timezone.now()
        existing.save(update_fields=["value", "source", "recorded_by", "recorded_at"])
        figure = existing
    else:
        figure = ExternalFigure.objects.create(
            street=street, kind=kind, month=month, value=value, source=source.strip(), recorded_by=user
        )
    audit_record(
        actor=user,
        action=AuditAction.EXTERNAL_FIGURE_RECORD,
        obj=figure,
        summary=str(figure),
        before=before,
        after={"value": value},
    )
    return figure


def _streets_of(user: User) -> set[int]:
    from lucun.scoping import streets_for

    return set(streets_for(user).values_list("pk", flat=True))


def _leaders(street: Street) -> list[User]:
    return [
        p.user
        for p in Position.objects.current()
        .filter(role=Role.STREET_LEADER, street=street, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def report_prepare(*, street: Street, period: Period) -> ReportSnapshot | None:
    """Compute a street's report for the period as its leaders see it, store it, and tell the leaders once."""
    from ..report.figures import report

    leaders = _leaders(street)
    if not leaders:
        return None
    figures = report(user=leaders[0], period=period, street=street)
    data = json.loads(json.dumps(figures.as_dict(), cls=DjangoJSONEncoder))
    try:
        with transaction.atomic():
            snapshot, created = ReportSnapshot.objects.get_or_create(
                street=street, period=period.key, defaults={"data": data}
            )
    except IntegrityError:
        return ReportSnapshot.objects.get(street=street, period=period.key)
    if created:
        rates = data["rates"]
        notification_send(
            recipients=leaders,
            title=_("%(street)s %(period)s 工作成效报告已生成") % {"street": street.name, "period": period.label},
            body=_("满意率 %(s)s%%,收集问题 %(c)d 件,办结 %(r)d 件。")
            % {
                "s": rates["satisfaction_rate"] if rates["satisfaction_rate"] is not None else "—",
                "c": data["cases"]["collected"],
                "r": data["cases"]["resolved"],
            },
            url=snapshot.get_absolute_url(),
            dedupe_key=f"outcome-report:{street.pk}:{period.key}",
        )
    return snapshot


def report_prepare_last_month(*, today: date | None = None) -> int:
    """Prepare last month's report for every street that has none yet; return how many were prepared."""
    today = today or timezone.localdate()
    last = Period.month(today.year, today.month).previous()
    done = set(ReportSnapshot.objects.filter(period=last.key).values_list("street_id", flat=True))
    count = 0
    for street in Street.objects.exclude(pk__in=done):
        if report_prepare(street=street, period=last) is not None:
            count += 1
    return count
