import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lucun.models import Role
from points import services
from points.models import Redemption, ServiceClaim, Volunteer
from tests.cases.factories import jpeg_bytes, upload
from tests.points.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cadre):
    client = APIClient()
    client.force_authenticate(cadre)
    return client


def _submit(cadre, volunteer, service_type, quantity=1):
    return services.claim_submit(
        actor=cadre,
        volunteer=volunteer,
        service_type=service_type,
        service_date=timezone.localdate(),
        quantity=quantity,
    )


def test_api_needs_authentication(volunteer):
    assert APIClient().get(reverse("api_points_volunteer_list")).status_code in (401, 403)


def test_volunteer_list_is_scoped_and_masks_phones(api, volunteer, other_volunteer):
    data = api.get(reverse("api_points_volunteer_list")).json()
    assert [v["name"] for v in data["results"]] == [volunteer.name]
    assert data["results"][0]["phone_masked"] == "138****5678"
    assert "phone" not in data["results"][0]


def test_another_communitys_volunteer_is_404(api, other_volunteer):
    assert api.get(reverse("api_points_volunteer_detail", args=[other_volunteer.pk])).status_code == 404


def test_service_types_are_listed(api, policy_type):
    names = [t["name"] for t in api.get(reverse("api_points_service_type_list")).json()]
    assert policy_type.name in names


def test_claim_submit_and_approve_through_the_api(api, volunteer, policy_type):
    response = api.post(
        reverse("api_points_claim_submit"),
        {
            "volunteer": volunteer.pk,
            "service_type": policy_type.pk,
            "service_date": str(timezone.localdate()),
            "quantity": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    claim_id = response.json()["id"]
    assert response.json()["via"] == "api"
    response = api.post(reverse("api_points_claim_approve", args=[claim_id]))
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["points_awarded"] == 10
    ledger = api.get(reverse("api_points_ledger"), {"account__volunteer": volunteer.pk}).json()["results"]
    assert [(e["kind"], e["points"]) for e in ledger] == [("earn", 10)]


def test_a_claims_photo_is_a_link_to_the_private_file_view(cadre, volunteer, policy_type):
    claim = services.claim_submit(
        actor=cadre,
        volunteer=volunteer,
        service_type=policy_type,
        service_date=timezone.localdate(),
        quantity=1,
        photo=upload(jpeg_bytes()),
    )
    without = _submit(cadre, volunteer, policy_type)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cadre).key}")
    link = client.get(reverse("api_points_claim_detail", args=[claim.pk])).json()["photo"]
    assert link == f"http://testserver/files/claim-photo/{claim.pk}/"
    assert client.get(reverse("api_points_claim_detail", args=[without.pk])).json()["photo"] is None
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert APIClient().get(link).status_code == 404


def test_a_claim_photo_that_is_not_an_image_is_refused_by_the_api_and_nothing_stored(api, volunteer, policy_type):
    response = api.post(
        reverse("api_points_claim_submit"),
        {
            "volunteer": volunteer.pk,
            "service_type": policy_type.pk,
            "service_date": str(timezone.localdate()),
            "quantity": 1,
            "photo": upload(b"plain text, not a photo" * 10, name="p.jpg"),
        },
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "这个文件不是能打开的照片,请重新选择一张照片。", "code": "not_image"}
    assert not ServiceClaim.objects.exists()


def test_claim_submit_for_a_foreign_volunteer_is_404(api, other_volunteer, policy_type):
    response = api.post(
        reverse("api_points_claim_submit"),
        {
            "volunteer": other_volunteer.pk,
            "service_type": policy_type.pk,
            "service_date": str(timezone.localdate()),
            "quantity": 1,
        },
        format="json",
    )
    assert response.status_code == 404
    assert not ServiceClaim.objects.exists()


def test_foreign_claim_cannot_be_approved(api, other_cadre, other_volunteer, policy_type):
    claim = _submit(other_cadre, other_volunteer, policy_type)
    assert api.post(reverse("api_points_claim_approve", args=[claim.pk])).status_code == 404
    assert api.get(reverse("api_points_claim_detail", args=[claim.pk])).status_code == 404


def test_claim_reject_needs_a_reason(api, cadre, volunteer, policy_type):
    claim = _submit(cadre, volunteer, policy_type)
    assert api.post(reverse("api_points_claim_reject", args=[claim.pk]), {}, format="json").status_code == 400
    response = api.post(reverse("api_points_claim_reject", args=[claim.pk]), {"reason": "重复"}, format="json")
    assert response.json()["status"] == "rejected"


def test_cap_refusal_is_a_400_with_a_code(api, cadre, volunteer, cleanup_type):
    services.claim_approve(actor=cadre, claim=_submit(cadre, volunteer, cleanup_type, quantity=10))
    claim = _submit(cadre, volunteer, cleanup_type)
    response = api.post(reverse("api_points_claim_approve", args=[claim.pk]))
    assert response.status_code == 400 and response.json()["code"] == "cap_reached"


def test_ledger_is_read_only_and_scoped(api, cadre, other_cadre, volunteer, other_volunteer, policy_type):
    services.claim_approve(actor=other_cadre, claim=_submit(other_cadre, other_volunteer, policy_type))
    assert api.get(reverse("api_points_ledger")).json()["count"] == 0
    assert api.post(reverse("api_points_ledger"), {}).status_code == 405


def test_redemption_is_idempotent_through_the_api(api, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    body = {"volunteer": volunteer.pk, "items": [{"reward": reward.pk, "quantity": 1}], "idempotency_key": "app-1"}
    first = api.post(reverse("api_points_redeem"), body, format="json")
    again = api.post(reverse("api_points_redeem"), body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Redemption.objects.count() == 1
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 70
    listed = api.get(reverse("api_points_redemption_list")).json()["results"]
    assert listed[0]["lines"][0]["reward_name"] == reward.name


def test_redemption_beyond_the_balance_is_refused(api, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=10)
    body = {"volunteer": volunteer.pk, "items": [{"reward": reward.pk, "quantity": 1}], "idempotency_key": "a"}
    response = api.post(reverse("api_points_redeem"), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "insufficient_points"


def test_catalogue_is_scoped(api, reward, other_community):
    from tests.points.factories import RewardFactory

    RewardFactory(community=other_community, name="外村商品")
    names = [r["name"] for r in api.get(reverse("api_points_reward_list")).json()["results"]]
    assert names == [reward.name]


def test_openapi_schema_generates_without_warnings():
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", "/dev/null")


# --- volunteers: register, edit, 一码通 ----------------------------------------------------------------------


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_registering_a_volunteer_with_a_household_member(api, community, member):
    from points.models import ServiceCorps

    corps = ServiceCorps.objects.order_by("sort_order").first()
    response = api.post(
        reverse("api_points_volunteer_list"),
        {
            "community": community.pk,
            "name": "王秀英",
            "phone": "13800002222",
            "corps": [corps.name],
            "member": member.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["member"], body["household"], body["corps"], body["balance"]) == (
        member.pk,
        member.household_id,
        [corps.name],
        0,
    )
    assert body["phone_masked"] == "138****2222"
    volunteer = Volunteer.objects.get(pk=body["id"])
    assert volunteer.member == member and volunteer.token


def test_registering_with_bad_input_answers_400_in_chinese_and_writes_nothing(api, community):
    response = api.post(
        reverse("api_points_volunteer_list"), {"community": community.pk, "phone": "12345"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"name", "phone"} and all(_cjk(m) for msgs in errors.values() for m in msgs)
    assert not Volunteer.objects.exists()


def test_registering_with_another_communitys_member_is_refused(street_leader, community, other_member):
    response = _client(street_leader).post(
        reverse("api_points_volunteer_list"),
        {"community": community.pk, "name": "外村成员", "member": other_member.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "member_community" and "不是芦湖村的住户" in response.json()["detail"]
    assert not Volunteer.objects.exists()


def test_a_member_outside_the_callers_communities_is_not_found(api, community, other_member):
    response = api.post(
        reverse("api_points_volunteer_list"),
        {"community": community.pk, "name": "某人", "member": other_member.pk},
        format="json",
    )
    assert response.status_code == 400 and _cjk(response.json()["member"][0])
    assert not Volunteer.objects.exists()


def test_registering_in_another_community_is_refused(api, other_community):
    response = api.post(
        reverse("api_points_volunteer_list"), {"community": other_community.pk, "name": "外村志愿者"}, format="json"
    )
    assert response.status_code == 403 and "稻香村" in response.json()["detail"]
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize(
    ("role", "node", "expected"),
    [
        ("community_cadre", "community", 201),
        ("grid_worker", "grid", 201),
        ("street_leader", "street", 201),
        ("street_staff", "street", 201),
        ("supervisor", "street", 403),
        ("unit_head", "grid", 403),
        ("party_rep", "community", 403),
    ],
)
def test_who_may_register_volunteers_through_the_api(role, node, expected, street, community, grid):
    from tests.factories import official

    user = official(role, **{node: {"street": street, "community": community, "grid": grid}[node]})
    response = _client(user).post(
        reverse("api_points_volunteer_list"), {"community": community.pk, "name": "新志愿者"}, format="json"
    )
    assert response.status_code == expected
    assert Volunteer.objects.filter(name="新志愿者").exists() == (expected == 201)


def test_registering_the_same_person_twice_is_refused(api, community):
    body = {"community": community.pk, "name": "张桂英", "phone": "13900001111"}
    assert api.post(reverse("api_points_volunteer_list"), body, format="json").status_code == 201
    again = api.post(reverse("api_points_volunteer_list"), body, format="json")
    assert again.status_code == 400 and again.json()["code"] == "volunteer_exists"
    assert Volunteer.objects.filter(name="张桂英").count() == 1


def test_patch_changes_only_the_fields_sent(api, cadre, volunteer, member):
    from points.models import ServiceCorps

    corps = ServiceCorps.objects.order_by("sort_order").first()
    volunteer.corps.set([corps])
    services.volunteer_update(
        actor=cadre,
        volunteer=volunteer,
        name=volunteer.name,
        phone=volunteer.phone,
        corps=[corps],
        joined_on=volunteer.joined_on,
        active=True,
        member=member,
    )
    url = reverse("api_points_volunteer_detail", args=[volunteer.pk])
    response = api.patch(url, {"phone": "13711112222"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["corps"] == [corps.name] and response.json()["member"] == member.pk
    volunteer.refresh_from_db()
    assert (volunteer.phone, volunteer.name, volunteer.active) == ("13711112222", "王秀英", True)
    assert api.patch(url, {"phone": "13711112222"}, format="json").json() == response.json()  # the same again
    unlinked = api.patch(url, {"member": None}, format="json")
    assert unlinked.status_code == 200 and unlinked.json()["member"] is None and unlinked.json()["household"] is None


def test_patch_with_bad_input_changes_nothing(api, volunteer):
    url = reverse("api_points_volunteer_detail", args=[volunteer.pk])
    response = api.patch(url, {"name": "", "active": "perhaps"}, format="json")
    assert response.status_code == 400 and {"name", "active"} <= set(response.json())
    volunteer.refresh_from_db()
    assert volunteer.name == "王秀英" and volunteer.active


def test_patch_of_another_communitys_volunteer_is_404(api, other_volunteer):
    url = reverse("api_points_volunteer_detail", args=[other_volunteer.pk])
    assert api.patch(url, {"name": "改名"}, format="json").status_code == 404
    other_volunteer.refresh_from_db()
    assert other_volunteer.name == "李建国"


def test_staff_who_cannot_see_members_cannot_link_one_through_the_api(street_staff, volunteer, member):
    url = reverse("api_points_volunteer_detail", args=[volunteer.pk])
    response = _client(street_staff).patch(url, {"member": member.pk, "phone": ""}, format="json")
    assert response.status_code == 403 and "村居干部或街道班子成员" in response.json()["detail"]
    volunteer.refresh_from_db()
    assert volunteer.member is None and volunteer.phone == "13812345678"


def test_reissuing_a_token_returns_the_new_card_and_the_old_code_stops_working(api, client, volunteer):
    old = volunteer.token
    response = api.post(reverse("api_points_volunteer_token_reissue", args=[volunteer.pk]))
    assert response.status_code == 200
    body = response.json()
    volunteer.refresh_from_db()
    assert body["token"] == volunteer.token != old
    assert body["public_url"].endswith(reverse("points:public", args=[volunteer.token]))
    assert client.get(reverse("points:public", args=[old])).status_code == 404
    assert client.get(reverse("points:public", args=[volunteer.token])).status_code == 200


def test_revoking_a_token_twice_is_harmless(api, client, volunteer):
    from lucun.models import AuditEvent

    old = volunteer.token
    url = reverse("api_points_volunteer_token_revoke", args=[volunteer.pk])
    first = api.post(url)
    events = AuditEvent.objects.count()
    again = api.post(url)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and again.json()["token"] is None and again.json()["public_url"] is None
    assert AuditEvent.objects.count() == events
    assert client.get(reverse("points:public", args=[old])).status_code == 404


def test_token_actions_on_another_communitys_volunteer_are_404(api, other_volunteer):
    token = other_volunteer.token
    for name in ("api_points_volunteer_token_reissue", "api_points_volunteer_token_revoke"):
        assert api.post(reverse(name, args=[other_volunteer.pk])).status_code == 404
    other_volunteer.refresh_from_db()
    assert other_volunteer.token == token


def test_a_supervisor_may_not_reissue_a_token(supervisor, volunteer):
    token = volunteer.token
    response = _client(supervisor).post(reverse("api_points_volunteer_token_reissue", args=[volunteer.pk]))
    assert response.status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.token == token


# --- the catalogue -----------------------------------------------------------------------------------------


def test_adding_a_catalogue_item(api, community):
    from points.models import Reward

    response = api.post(
        reverse("api_points_reward_list"),
        {"community": community.pk, "shop_name": "爱心超市", "name": "理发", "kind": "service", "price_points": 10},
        format="json",
    )
    assert response.status_code == 201, response.content
    reward = Reward.objects.get(pk=response.json()["id"])
    assert (reward.name, reward.stock, reward.is_active) == ("理发", None, True)
    assert api.get(reverse("api_points_reward_detail", args=[reward.pk])).json()["name"] == "理发"


def test_a_catalogue_item_with_bad_input_is_refused_and_nothing_is_written(api, community, reward):
    from points.models import Reward

    bad = {"community": community.pk, "shop_name": "爱心超市", "name": "毛巾", "price_points": 0, "stock": -1}
    response = api.post(reverse("api_points_reward_list"), bad, format="json")
    assert response.status_code == 400 and {"price_points", "stock"} <= set(response.json())
    twin = {"community": community.pk, "shop_name": "爱心超市", "name": reward.name, "price_points": 5}
    response = api.post(reverse("api_points_reward_list"), twin, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reward_exists"
    assert Reward.objects.count() == 1


def test_catalogue_items_are_added_only_where_the_caller_keeps_the_shop(api, other_community, community, grid):
    from points.models import Reward
    from tests.factories import official

    body = {"community": other_community.pk, "shop_name": "外村超市", "name": "外村商品", "price_points": 5}
    assert api.post(reverse("api_points_reward_list"), body, format="json").status_code == 403
    worker = _client(official(Role.GRID_WORKER, grid=grid))
    body = {**body, "community": community.pk}
    assert worker.post(reverse("api_points_reward_list"), body, format="json").status_code == 403
    assert not Reward.objects.exists()


def test_patching_a_catalogue_item_leaves_what_was_not_sent(api, reward):
    from points.models import Reward

    Reward.objects.filter(pk=reward.pk).update(stock=3)  # two redeemed at the counter since it was loaded
    url = reverse("api_points_reward_detail", args=[reward.pk])
    response = api.patch(url, {"price_points": 35, "active": False}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["price_points"], response.json()["stock"], response.json()["active"]) == (35, 3, False)
    counted = api.patch(url, {"stock": 12}, format="json")
    assert counted.json()["stock"] == 12 and counted.json()["price_points"] == 35


def test_renaming_an_item_to_a_name_the_shop_has_is_refused(api, community, reward):
    from tests.points.factories import RewardFactory

    other = RewardFactory(community=community, name="毛巾")
    response = api.patch(reverse("api_points_reward_detail", args=[other.pk]), {"name": reward.name}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reward_exists"
    other.refresh_from_db()
    assert other.name == "毛巾"


def test_another_communitys_catalogue_item_is_404(api, other_community):
    from tests.points.factories import RewardFactory

    item = RewardFactory(community=other_community, name="外村商品", price_points=7)
    url = reverse("api_points_reward_detail", args=[item.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {"price_points": 1}, format="json").status_code == 404
    item.refresh_from_db()
    assert item.price_points == 7
