"""The spec's records, built from our rows: a service, a service definition, a request as its sender or the
public sees it. Each request carries every field of the spec's list, in its order; what we do not give is None.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from lucun.models import Community, Street

from .. import selectors
from ..models import Case, CaseState, Category, Feedback

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the shape of this endpoint (its services' definitions) last changed; sortable, as the spec asks.
CHANGESET = "2026-12-05T00:00:00+08:00"

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)

CALLBACK_YES = "yes"
CALLBACK_NO = "no"


def w3(moment: datetime | None) -> str | None:
    """Return a time in the w3 subset of ISO 8601, with the local offset (+08:00)."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def w3_day(moment: datetime | None) -> str | None:
    """Return the start of the local day of ``moment``: the public list tells the day, not the hour."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0).isoformat(timespec="seconds")


def place(community: Community, street: Street) -> str:
    """The place at the level the spec's address allows here: the community and the street, never closer."""
    return f"{community.name},{street.name}"


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.name,
        "metadata": True,
        "type": "realtime",
        "keywords": None,
        "group": None,
    }


def service_definition(category: Category, communities: list[Community]) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "community",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": _("村(居)编号;不传时从 address_string 中找村(居)名称。"),
                "order": 1,
                "description": _("您反映的是哪个村(居)"),
                "values": [{"key": c.pk, "name": c.name} for c in communities],
            },
            {
                "variable": True,
                "code": "callback",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("选“是”时请同时提交 phone;不选或选“否”,电话不会保存。"),
                "order": 2,
                "description": _("希望工作人员打电话回复吗?留电话后反映就不再是匿名的。"),
                "values": [
                    {"key": CALLBACK_YES, "name": _("是,请打电话给我")},
                    {"key": CALLBACK_NO, "name": _("不用,凭编号查看结果")},
                ],
            },
            {
                "variable": True,
                "code": "sms",
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("选“是”时请同时提交 phone(11位手机号);号码和反映一起保存,工作人员看得到。"),
                "order": 3,
                "description": _("办结后发短信告诉您吗?短信里只有查询码。"),
                "values": [
                    {"key": CALLBACK_YES, "name": _("是,办结后发短信给我")},
                    {"key": CALLBACK_NO, "name": _("不用")},
                ],
            },
            {
                "variable": False,
                "code": "anonymity",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 4,
                "description": _(
                    "匿名反映:不保存姓名、邮箱、设备号、账号、经纬度和详细地址;"
                    "media_url 指向的照片不下载,链接也不保存。"
                ),
                "values": [],
            },
        ],
    }


def _request(**given) -> dict:
    return {field: given.get(field) for field in REQUEST_FIELDS}


def request_for_sender(feedback: Feedback) -> dict:
    """The request as its sender follows it by the id the POST returned: what the status page shows."""
    status = selectors.feedback_status(feedback)
    case = feedback.case
    moments = [feedback.received_at, feedback.triaged_at]
    if case is not None:
        moments += [case.resolved_at, case.closed_at]
    return _request(
        service_request_id=feedback.lookup_code,
        status="closed" if status.stage in ("resolved", "closed") else "open",
        status_notes=status.public_reply if status.stage == "resolved" else status.message,
        service_name=feedback.category.name if feedback.category_id else _("其他"),
        service_code=feedback.category.code if feedback.category_id else None,
        agency_responsible=feedback.street.name,
        service_notice=status.label,
        requested_datetime=w3(feedback.received_at),
        updated_datetime=w3(max(m for m in moments if m is not None).replace(minute=0, second=0, microsecond=0)),
        address=place(feedback.community, feedback.street),
    )


def request_public(case: Case, street: Street) -> dict:
    """A case in the public list: its public title, category, status, community and public reply; days, not
    hours. Only what an official wrote for the public is text here."""
    closed = case.state in (CaseState.RESOLVED, CaseState.CLOSED)
    moments = [m for m in (case.opened_at, case.resolved_at, case.closed_at) if m is not None]
    return _request(
        service_request_id=case.number,
        status="closed" if closed else "open",
        status_notes=(case.public_reply or None) if closed else None,
        service_name=case.category.name,
        service_code=case.category.code,
        description=case.public_title,
        agency_responsible=street.name,
        requested_datetime=w3_day(case.opened_at),
        updated_datetime=w3_day(max(moments)),
        address=place(case.community, street),
    )
