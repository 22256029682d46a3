"""The colour sweep: stored colours move forward in set-based UPDATEs, and the notices of what moved."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, Concat, Left, Substr, TruncMinute
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.models import Notification, SmsMessage
from lucun.selectors import officials_by_community
from lucun.services import notification_insert_select, outbox_enqueue
from lucun.text import sql_format

from .. import clock, permissions
from ..models import Case, CaseAlarm, CaseEvent, Colour


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    noticed: int = 0


def _update_sql(queryset, values: dict) -> tuple[str, tuple]:
    """Compile ``queryset.update(**values)`` to SQL, so the UPDATE can return the rows it moved."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    return query.get_compiler(queryset.db).as_sql()


def _transition(queryset, values: dict, kind: str, now: datetime) -> int:
    """Move the matching rows in one UPDATE and record one event per moved row; return the events recorded.

    A concurrent sweep blocks on the same rows and, re-reading them, no longer matches, so each row
    moves once; the events' unique (case, kind, deadline version) makes a second record impossible even so.
    On PostgreSQL the UPDATE and the INSERT are one statement; elsewhere the UPDATE returns the rows.
    """
    update_sql, update_params = _update_sql(queryset, values)
    qn = connection.ops.quote_name
    table = qn(CaseEvent._meta.db_table)
    columns = ", ".join(qn(c) for c in ("case_id", "kind", "at", "note", "before", "after", "deadline_version"))
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH moved AS ({update_sql} RETURNING {qn('id')}, {qn('deadline_version')}) "  # noqa: S608
                f"INSERT INTO {table} ({columns}) "
                f"SELECT {qn('id')}, %s, %s, '', '{{}}', '{{}}', {qn('deadline_version')} FROM moved "
                "ON CONFLICT DO NOTHING",
                [*update_params, kind, at],
            )
            recorded = cursor.rowcount
        else:
            cursor.execute(f"{update_sql} RETURNING {qn('id')}, {qn('deadline_version')}", update_params)
            moved = cursor.fetchall()
            if moved:
                cursor.executemany(
                    f"INSERT OR IGNORE INTO {table} ({columns}) VALUES (%s, %s, %s, '', '{{}}', '{{}}', %s)",  # noqa: S608
                    [(pk, kind, at, version) for pk, version in moved],
                )
            recorded = len(moved)
    if recorded:
        outbox_enqueue(task_name="cases.tasks.case_events_notify", kind=kind, at=now.isoformat())
    return recorded


def case_colours_sweep(*, now: datetime | None = None) -> SweepResult:
    """Move stored colours forward for open cases: green → yellow at warn_at, → red at due_at, then 通报.

    Beat runs this every minute, and most minutes nothing is due: one indexed look in the alarm table says
    so, outside any transaction. Otherwise a fixed number of statements whatever the number of cases; rows
    that do not change are not touched, and each is found through a partial index.
    """
    now = now or timezone.now()
    if not CaseAlarm.objects.filter(clock.q_alarm_due(now)).exists():
        return SweepResult()
    return _sweep(now)


@transaction.atomic
def _sweep(now: datetime) -> SweepResult:
    result = SweepResult()
    result.red = _transition(
        Case.objects.filter(clock.q_turns_red(now)),
        {
            "colour": Colour.RED,
            "colour_changed_at": now,
            "red_since": now,
            "notice_at": clock.notice_at_expression(now),
        },
        CaseEvent.Kind.TURNED_RED,
        now,
    )
    result.yellow = _transition(
        Case.objects.filter(clock.q_turns_yellow(now)),
        {"colour": Colour.YELLOW, "colour_changed_at": now},
        CaseEvent.Kind.TURNED_YELLOW,
        now,
    )
    result.noticed = _transition(
        Case.objects.filter(clock.q_notice_due(now)),
        {"noticed_at": now},
        CaseEvent.Kind.NOTICED,
        now,
    )
    return result


def case_events_notify(*, kind: str, at: str) -> int:
    """Send the notifications for the events one sweep recorded: each recipient once per event.

    One INSERT … SELECT whatever the number of events (a sweep at a county's scale can move ten
    thousand cases), so no case or notice is ever loaded into Python; returns the notices created.
    """
    events = CaseEvent.objects.filter(kind=kind, at=datetime.fromisoformat(at))
    Kind = CaseEvent.Kind
    notice_kind = ""
    if kind == Kind.TURNED_YELLOW:
        template, level = _("即将到期提醒:%(number)s %(title)s"), Notification.Level.WARNING
        personal = [Coalesce("case__handler", "case__first_responder")]
    elif kind == Kind.TURNED_RED:
        template, level = _("督办单(超期):%(number)s %(title)s"), Notification.Level.URGENT
        personal = [F("case__handler"), F("case__first_responder")]
        notice_kind = SmsMessage.Kind.RED_NOTICE
    else:
        template, level = _("列入通报:%(number)s 红色超期未办结"), Notification.Level.URGENT
        personal = []
    supervisors: list[tuple[int, int]] = []
    if kind != Kind.TURNED_YELLOW:
        community_ids = list(events.order_by().values_list("case__community_id", flat=True).distinct())
        by_community = officials_by_community(community_ids=community_ids, roles=permissions.SUPERVISE_ROLES)
        supervisors = [(c, u) for c, users in by_community.items() for u in users]
    if not personal and not supervisors:
        return 0

    marker = "0-0-0"
    url_head, url_tail = reverse("cases:case_detail", kwargs={"number": marker}).split(marker)
    rows = events.order_by().annotate(
        event_id=F("pk"),
        event_community=F("case__community_id"),
        notice_title=Left(sql_format(template, number=F("case__number"), title=F("case__title")), 200),
        notice_body=sql_format(
            _("办理期限:%(due)s"), due=Substr(Cast(TruncMinute("case__due_at"), CharField()), 1, 16)
        ),
        notice_url=Concat(Value(url_head), F("case__number"), Value(url_tail)),
        notice_key=Concat(Value("case-event:"), Cast("pk", CharField())),
        **{f"person_{i}": expression for i, expression in enumerate(personal)},
    )
    columns = ["event_id", "event_community", "notice_title", "notice_body", "notice_url", "notice_key"]
    columns += [f"person_{i}" for i in range(len(personal))]
    events_sql, events_params = rows.values(*columns).query.sql_with_params()

    # Only the compiled queryset and fixed names go into the text; every value is a parameter. Each
    # branch carries the notice's text itself: joining back to the events would be a join between two
    # CTE scans, which PostgreSQL (knowing nothing of their size) runs as a nested loop.
    notice = "ev.notice_title, ev.notice_body, ev.notice_url, ev.notice_key"
    branches = [f"SELECT ev.person_{i}, {notice} FROM ev" for i in range(len(personal))]  # noqa: S608
    ctes = [f"ev AS ({events_sql})"]
    if supervisors:
        ctes.append(f"sup(community_id, user_id) AS (VALUES {', '.join(['(%s, %s)'] * len(supervisors))})")
        branches.append(f"SELECT sup.user_id, {notice} FROM ev JOIN sup ON sup.community_id = ev.event_community")  # noqa: S608
    ctes.append(f"recipients(recipient_id, title, body, url, dedupe_key) AS ({' UNION '.join(branches)})")
    select_sql = (
        f"WITH {', '.join(ctes)} "  # noqa: S608
        "SELECT recipient_id, %s, title, body, url, dedupe_key, %s FROM recipients WHERE recipient_id IS NOT NULL"
    )
    params = [
        *events_params,
        *(value for pair in supervisors for value in pair),
        level,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    return len(notification_insert_select(select_sql=select_sql, params=params, kind=notice_kind))
