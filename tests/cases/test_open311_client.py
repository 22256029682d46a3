"""A published Open311 client library drives a live server: georeport 0.3.1 from the package index (a dev extra).

georeport reads (services, definitions, requests) in JSON and in XML; it has no call that posts (its README says
so), so the request is posted with ``requests``, the HTTP library georeport itself is built on, in the spec's
form encoding. The other Open311 package on the index, ``open311`` 1.1 (2011), is Python 2 only and cannot run.
"""

import pytest
import requests

from cases import services
from lucun.models import Role
from tests.factories import CommunityFactory, StreetFactory, official
from tests.seeding import configuration_seed

georeport = pytest.importorskip(
    "georeport", reason="georeport is not installed: .venv/bin/pip install georeport==0.3.1 (pyproject's dev extra)"
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def seeded_configuration():
    """A live server's test empties the database when it ends; put the seeded categories and tiers back first."""
    configuration_seed()


def _requests(listed):
    """georeport hands XML lists over as xmltodict made them: one item alone is a dict, not a list."""
    return listed if isinstance(listed, list) else [listed]


def test_an_open311_client_lists_services_posts_and_follows_a_request_to_closed(live_server):
    street = StreetFactory(name="芦湖街道", code="LH")
    community = CommunityFactory(street=street, name="芦湖村")
    CommunityFactory(street=street, name="稻香村")
    leader = official(Role.STREET_LEADER, street=street)
    _key, secret = services.open311_key_issue(street=street, name="随手拍 App", user=leader)
    root = f"{live_server.url}/open311/v2"
    as_json = georeport.GeoReport(root, jurisdiction="LH", api_key=secret)
    as_xml = georeport.GeoReport(root, jurisdiction="LH", output_format="xml")

    codes = [s["service_code"] for s in as_json.get_service_list()]
    assert "infrastructure" in codes and [s["service_code"] for s in as_xml.get_service_list()] == codes
    definition = as_json.get_service_definition("infrastructure")
    place = next(a for a in definition["attributes"] if a["code"] == "community")
    assert {v["name"]: v["key"] for v in place["values"]}["芦湖村"] == community.pk
    xml_place = as_xml.get_service_definition("infrastructure")["attributes"]["attribute"][0]
    assert xml_place["code"] == "community" and xml_place["required"] == "true"

    posted = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": secret,
            "jurisdiction_id": "LH",
            "service_code": "infrastructure",
            f"attribute[{place['code']}]": community.pk,
            "description": "村口路灯坏了三盏,晚上看不见路。",
            "email": "someone@example.com",
            "first_name": "伟",
            "last_name": "张",
        },
        timeout=10,
    )
    assert posted.status_code == 201
    request_id = posted.json()[0]["service_request_id"]
    followed = as_json.get_service_request(request_id)
    assert (followed["service_request_id"], followed["status"]) == (request_id, "open")

    from cases.models import Feedback

    feedback = Feedback.objects.get(lookup_code=request_id)
    case = services.feedback_create_case(feedback=feedback, user=leader, title="张伟反映村口路灯不亮")
    services.case_public_title_set(case=case, user=leader, public_title="村口路灯不亮")
    services.case_resolve(case=case, user=leader, resolution="更换灯泡三只", public_reply="路灯已修好,感谢反映。")
    services.case_close(case=case, user=leader)

    closed = as_json.get_service_request(request_id)
    assert (closed["status"], closed["status_notes"]) == ("closed", "路灯已修好,感谢反映。")
    assert as_xml.get_service_request(request_id)["status"] == "closed"

    with pytest.raises(requests.HTTPError) as refused:
        as_json.get_service_requests()
    assert refused.value.response.status_code == 404  # the public list is off until the street turns it on
    services.open311_setting_save(street=street, user=leader, public_listing=True)
    listed = as_json.get_service_requests(status="closed")
    assert [(r["service_request_id"], r["description"], r["status"]) for r in listed] == [
        (case.number, "村口路灯不亮", "closed")
    ]
    assert [r["service_request_id"] for r in _requests(as_xml.get_service_requests())] == [case.number]
    assert request_id not in str(listed) and "张" not in str(listed)
