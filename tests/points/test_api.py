import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from points import services
from points.models import Redemption, ServiceClaim
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
