import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from lucun.errors import DomainError, NotAllowed
from points import services
from points.models import LedgerEntry, PointsPolicy, Redemption, RedemptionWindow, ServiceClaim
from points.selectors import ledger_sum, redemption_window
from tests.points.factories import RewardFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def _photo_with_exif() -> SimpleUploadedFile:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (36.0, 50.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def _claim(cadre, volunteer, service_type, quantity=2, **kw):
    return services.claim_submit(
        actor=cadre,
        volunteer=volunteer,
        service_type=service_type,
        service_date=kw.pop("service_date", timezone.localdate()),
        quantity=quantity,
        **kw,
    )


def test_volunteer_create_opens_an_empty_account_and_issues_a_token(cadre, community):
    volunteer = services.volunteer_create(actor=cadre, community=community, name="张桂英", phone="13900001111")
    assert volunteer.account.balance == 0
    assert len(volunteer.token) == 16


def test_cadre_cannot_register_a_volunteer_in_another_community(cadre, other_community):
    with pytest.raises(NotAllowed):
        services.volunteer_create(actor=cadre, community=other_community, name="张桂英")


def test_reissued_token_replaces_the_old_one_and_revoke_clears_it(cadre, volunteer):
    old = volunteer.token
    new = services.volunteer_token_issue(actor=cadre, volunteer=volunteer)
    assert new != old
    services.volunteer_token_revoke(actor=cadre, volunteer=volunteer)
    volunteer.refresh_from_db()
    assert volunteer.token is None


def test_claim_points_are_quantity_times_standard(cadre, volunteer, policy_type):
    claim = _claim(cadre, volunteer, policy_type, quantity=3)
    assert claim.points == 15
    assert claim.status == ServiceClaim.Status.PENDING
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 0


def test_claim_requiring_evidence_is_refused_without_a_photo(cadre, volunteer, policy_type):
    policy_type.evidence_required = True
    policy_type.save()
    with pytest.raises(DomainError, match="照片"):
        _claim(cadre, volunteer, policy_type)


def test_claim_photo_is_reencoded_without_exif(cadre, volunteer, policy_type):
    claim = _claim(cadre, volunteer, policy_type, photo=_photo_with_exif())
    with Image.open(claim.photo.path) as stored:
        assert not stored.getexif()
        assert stored.format == "JPEG"


def test_claim_in_the_future_is_refused(cadre, volunteer, policy_type):
    with pytest.raises(DomainError, match="不能晚于今天"):
        _claim(cadre, volunteer, policy_type, service_date=timezone.localdate() + timedelta(days=1))


def test_approval_credits_the_balance_with_an_earn_entry(cadre, volunteer, policy_type):
    claim = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type, quantity=2))
    volunteer.account.refresh_from_db()
    assert claim.status == ServiceClaim.Status.APPROVED
    assert volunteer.account.balance == 10
    entry = LedgerEntry.objects.get(claim=claim)
    assert (entry.kind, entry.points, entry.balance_after) == ("earn", 10, 10)


def test_approving_twice_credits_once(cadre, volunteer, policy_type):
    claim = _claim(cadre, volunteer, policy_type)
    services.claim_approve(actor=cadre, claim=claim)
    services.claim_approve(actor=cadre, claim=claim)
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 10
    assert LedgerEntry.objects.filter(kind="earn").count() == 1


def test_rejection_needs_a_reason_and_credits_nothing(cadre, volunteer, policy_type):
    claim = _claim(cadre, volunteer, policy_type)
    with pytest.raises(DomainError):
        services.claim_reject(actor=cadre, claim=claim, reason=" ")
    claim = services.claim_reject(actor=cadre, claim=claim, reason="当天未参加活动")
    assert claim.status == ServiceClaim.Status.REJECTED
    assert not LedgerEntry.objects.exists()
    with pytest.raises(DomainError, match="已处理"):
        services.claim_approve(actor=cadre, claim=claim)


def test_cadre_of_another_community_cannot_approve(other_cadre, cadre, volunteer, policy_type):
    claim = _claim(cadre, volunteer, policy_type)
    with pytest.raises(NotAllowed):
        services.claim_approve(actor=other_cadre, claim=claim)


def test_monthly_cap_trims_the_last_claim_then_refuses(cadre, volunteer, cleanup_type):
    # cap 30 points a month at 3 points an hour
    first = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, cleanup_type, quantity=8))
    second = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, cleanup_type, quantity=4))
    assert (first.points_awarded, second.points_awarded) == (24, 6)
    third = _claim(cadre, volunteer, cleanup_type, quantity=1)
    with pytest.raises(services.CapReached, match="上限"):
        services.claim_approve(actor=cadre, claim=third)
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 30


def test_monthly_cap_counts_each_month_apart(cadre, volunteer, cleanup_type):
    with time_machine.travel(date(2026, 5, 2), tick=False):
        april = services.claim_approve(
            actor=cadre,
            claim=_claim(cadre, volunteer, cleanup_type, quantity=10, service_date=date(2026, 4, 30)),
        )
        may = services.claim_approve(
            actor=cadre, claim=_claim(cadre, volunteer, cleanup_type, quantity=10, service_date=date(2026, 5, 1))
        )
    assert april.points_awarded == may.points_awarded == 30


def test_bulk_claims_create_one_pending_claim_per_attendee(cadre, community, policy_type):
    attendees = VolunteerFactory.create_batch(3, community=community)
    batch = services.claim_batch_create(
        actor=cadre,
        community=community,
        title="3月大家小家座谈会",
        service_type=policy_type,
        service_date=timezone.localdate(),
        quantity=1,
        volunteers=attendees,
    )
    assert batch.claims.filter(status="pending", via="batch").count() == 3
    result = services.claims_approve_many(actor=cadre, claims=batch.claims.all())
    assert len(result.approved) == 3 and not result.failed


def test_bulk_claims_refuse_a_volunteer_of_another_community(cadre, community, policy_type, other_volunteer):
    with pytest.raises(DomainError, match="不属于"):
        services.claim_batch_create(
            actor=cadre,
            community=community,
            title="清洁家园",
            service_type=policy_type,
            service_date=timezone.localdate(),
            quantity=1,
            volunteers=[other_volunteer],
        )


def test_self_claims_are_limited_while_pending(volunteer, policy_type):
    PointsPolicy.objects.update_or_create(pk=1, defaults={"self_claim_pending_limit": 2})
    for _ in range(2):
        _claim(None, volunteer, policy_type, via=ServiceClaim.Via.SELF)
    with pytest.raises(DomainError, match="等待审核"):
        _claim(None, volunteer, policy_type, via=ServiceClaim.Via.SELF)


# --- reversals -----------------------------------------------------------------------------------------


def test_reversing_an_earn_debits_it_and_names_the_entry(cadre, volunteer, policy_type):
    claim = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type))
    earn = LedgerEntry.objects.get(claim=claim, kind="earn")
    reversal = services.ledger_entry_reverse(actor=cadre, entry=earn, reason="重复申报")
    assert reversal.reverses == earn and reversal.points == -10
    claim.refresh_from_db()
    volunteer.account.refresh_from_db()
    assert claim.status == ServiceClaim.Status.REVERSED
    assert volunteer.account.balance == 0 == ledger_sum(account=volunteer.account)


def test_an_entry_is_reversed_at_most_once(cadre, volunteer, policy_type):
    claim = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type))
    earn = LedgerEntry.objects.get(claim=claim, kind="earn")
    first = services.ledger_entry_reverse(actor=cadre, entry=earn, reason="重复申报")
    again = services.ledger_entry_reverse(actor=cadre, entry=earn, reason="重复申报")
    assert first == again
    assert LedgerEntry.objects.filter(kind="reverse").count() == 1


def test_the_database_refuses_a_second_reversal_of_one_entry(cadre, volunteer, policy_type):
    claim = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type))
    earn = LedgerEntry.objects.get(claim=claim, kind="earn")
    services.ledger_entry_reverse(actor=cadre, entry=earn, reason="重复申报")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            account=earn.account,
            community=earn.community,
            kind="reverse",
            points=-10,
            balance_after=0,
            reverses=earn,
            idempotency_key="another-key",
        )


def test_a_spent_earn_cannot_be_reversed_into_a_negative_balance(cadre, volunteer, policy_type, reward, open_window):
    claim = services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type, quantity=6))
    services.redemption_create(actor=cadre, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="k1")
    earn = LedgerEntry.objects.get(claim=claim, kind="earn")
    with pytest.raises(services.InsufficientPoints, match="余额不足"):
        services.ledger_entry_reverse(actor=cadre, entry=earn, reason="弄错了")
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 0


def test_reversing_a_redemption_returns_points_and_stock(cadre, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    redemption = services.redemption_create(actor=cadre, volunteer=volunteer, items={reward.pk: 2}, idempotency_key="k")
    entry = LedgerEntry.objects.get(redemption=redemption, kind="redeem")
    services.ledger_entry_reverse(actor=cadre, entry=entry, reason="物品退回")
    reward.refresh_from_db()
    volunteer.account.refresh_from_db()
    redemption.refresh_from_db()
    assert (reward.stock, volunteer.account.balance) == (5, 100)
    assert redemption.cancelled_at is not None


def test_ledger_entries_cannot_be_edited_or_deleted(cadre, volunteer, policy_type):
    services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type))
    entry = LedgerEntry.objects.get()
    entry.points = 1000
    with pytest.raises(Exception, match="不能修改"):
        entry.save()
    with pytest.raises(Exception, match="不能删除"):
        entry.delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(points=1000)


def test_adjust_is_idempotent_and_cannot_overdraw(cadre, volunteer):
    services.points_adjust(actor=cadre, volunteer=volunteer, points=20, reason="纸质台账迁移", idempotency_key="m1")
    services.points_adjust(actor=cadre, volunteer=volunteer, points=20, reason="纸质台账迁移", idempotency_key="m1")
    with pytest.raises(services.InsufficientPoints):
        services.points_adjust(actor=cadre, volunteer=volunteer, points=-21, reason="扣减", idempotency_key="m2")
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 20 == ledger_sum(account=volunteer.account)


# --- redemption ------------------------------------------------------------------------------------------


def test_redemption_debits_balance_and_stock_together(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    redemption = services.redemption_create(
        actor=counter_staff, volunteer=volunteer, items={reward.pk: 3}, idempotency_key="abc"
    )
    reward.refresh_from_db()
    volunteer.account.refresh_from_db()
    assert redemption.total_points == 90
    assert (reward.stock, volunteer.account.balance) == (2, 10)
    assert ledger_sum(account=volunteer.account) == 10


def test_redemption_entry_records_the_balance_it_left(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="a")
    services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 2}, idempotency_key="b")
    entries = LedgerEntry.objects.filter(account=volunteer.account, kind="redeem").order_by("pk")
    assert [(e.points, e.balance_after) for e in entries] == [(-30, 70), (-60, 10)]
    volunteer.account.refresh_from_db()
    assert volunteer.account.updated_at == entries.last().created_at


def test_redemption_touches_the_shared_stock_and_balance_only_at_the_end(counter_staff, community, reward, open_window):
    """Every statement after the stock is locked holds up the other redemptions of that reward and balance."""
    volunteer = VolunteerFactory(community=community, balance=100)
    with CaptureQueriesContext(connection) as queries:
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="c")
    statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
    stock = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "POINTS_REWARD"'))
    locked = [sql.split("(")[0].split(" SET")[0] for sql in statements[stock:] if not sql.startswith("RELEASE")]
    assert locked == [
        'UPDATE "POINTS_REWARD"',
        'UPDATE "POINTS_POINTSACCOUNT"',
        'INSERT INTO "POINTS_LEDGERENTRY" ',
    ]


def test_same_idempotency_key_returns_the_first_redemption(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    first = services.redemption_create(
        actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="x"
    )
    again = services.redemption_create(
        actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="x"
    )
    assert first == again
    volunteer.account.refresh_from_db()
    reward.refresh_from_db()
    assert (volunteer.account.balance, reward.stock) == (70, 4)
    assert Redemption.objects.count() == 1


def test_same_key_with_other_items_is_refused(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=100)
    services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="x")
    with pytest.raises(DomainError, match="另一笔"):
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 2}, idempotency_key="x")


def test_redemption_beyond_the_balance_changes_nothing(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=50)
    with pytest.raises(services.InsufficientPoints, match="积分不足"):
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 2}, idempotency_key="y")
    reward.refresh_from_db()
    volunteer.account.refresh_from_db()
    assert (reward.stock, volunteer.account.balance) == (5, 50)
    assert not Redemption.objects.exists()


def test_redemption_beyond_the_stock_is_refused(counter_staff, community, reward, open_window):
    volunteer = VolunteerFactory(community=community, balance=1000)
    with pytest.raises(services.OutOfStock, match="库存不足"):
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 6}, idempotency_key="z")


def test_unlimited_services_have_no_stock_to_run_out(counter_staff, community, open_window):
    haircut = RewardFactory(community=community, name="理发", price_points=10, stock=None, kind="service")
    volunteer = VolunteerFactory(community=community, balance=100)
    services.redemption_create(actor=counter_staff, volunteer=volunteer, items={haircut.pk: 3}, idempotency_key="h")
    haircut.refresh_from_db()
    assert haircut.stock is None


def test_a_reward_of_another_community_cannot_be_redeemed(counter_staff, community, other_community, open_window):
    foreign = RewardFactory(community=other_community)
    volunteer = VolunteerFactory(community=community, balance=100)
    with pytest.raises(DomainError, match="积分超市"):
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={foreign.pk: 1}, idempotency_key="f")


# --- windows ------------------------------------------------------------------------------------------------


def test_default_window_is_the_last_month_of_each_quarter(community):
    assert redemption_window(community=community, day=date(2026, 3, 15)).is_open
    closed = redemption_window(community=community, day=date(2026, 4, 15))
    assert not closed.is_open
    assert (closed.opens_on, closed.closes_on) == (date(2026, 6, 1), date(2026, 6, 30))


def test_a_configured_window_replaces_the_default_for_its_quarter(community):
    RedemptionWindow.objects.create(community=community, opens_on=date(2026, 4, 10), closes_on=date(2026, 4, 20))
    assert redemption_window(community=community, day=date(2026, 4, 15)).is_open
    assert not redemption_window(community=community, day=date(2026, 6, 15)).is_open


def test_redemption_outside_the_window_is_refused_with_the_next_dates(counter_staff, community, reward):
    volunteer = VolunteerFactory(community=community, balance=100)
    with time_machine.travel(date(2026, 4, 15), tick=False), pytest.raises(services.WindowClosed) as info:
        services.redemption_create(actor=counter_staff, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="w")
    assert "2026年06月01日" in info.value.messages[0]


# --- expiry ----------------------------------------------------------------------------------------------------


def test_expiry_is_off_by_default(cadre, volunteer, policy_type):
    services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type))
    assert services.points_expire(today=timezone.localdate() + timedelta(days=800)) == 0


def test_expiry_takes_unspent_old_points_oldest_first(cadre, community, policy_type, reward):
    PointsPolicy.objects.update_or_create(pk=1, defaults={"expiry_enabled": True, "expiry_quarters": 4})
    volunteer = VolunteerFactory(community=community)
    with time_machine.travel(date(2025, 3, 10), tick=False):
        services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type, quantity=8))  # 40 old
    with time_machine.travel(date(2026, 3, 10), tick=False):
        services.claim_approve(actor=cadre, claim=_claim(cadre, volunteer, policy_type, quantity=4))  # 20 new
        services.redemption_create(actor=cadre, volunteer=volunteer, items={reward.pk: 1}, idempotency_key="r")  # 30
    # In 2026 Q2 the cutoff is 2025 Q2: the 40 old points less the 30 spent (oldest first) expire.
    assert services.points_expire(today=date(2026, 4, 2)) == 10
    assert services.points_expire(today=date(2026, 4, 3)) == 0
    volunteer.account.refresh_from_db()
    assert volunteer.account.balance == 20 == ledger_sum(account=volunteer.account)
    assert LedgerEntry.objects.filter(kind="expire").get().points == -10


# --- the household link -----------------------------------------------------------------------------------


def test_a_volunteer_can_be_registered_as_a_member_of_a_household(cadre, community, member):
    volunteer = services.volunteer_create(actor=cadre, community=community, name="王秀英", member=member)
    assert volunteer.member == member
    member.refresh_from_db()
    assert member.volunteer == volunteer


def test_a_member_of_another_community_is_refused_and_nothing_is_written(street_leader, community, other_member):
    from points.models import PointsAccount, Volunteer

    with pytest.raises(DomainError, match="不是芦湖村的住户") as refused:
        services.volunteer_create(actor=street_leader, community=community, name="外村成员", member=other_member)
    assert refused.value.code == "member_community"
    assert not Volunteer.objects.exists() and not PointsAccount.objects.exists()


def test_a_member_already_linked_cannot_be_linked_to_a_second_volunteer(cadre, community, member):
    first = services.volunteer_create(actor=cadre, community=community, name="王秀英", member=member)
    with pytest.raises(DomainError, match=f"已关联{first.name}") as refused:
        services.volunteer_create(actor=cadre, community=community, name="王秀英(重复)", member=member)
    assert refused.value.code == "member_taken"


def test_the_database_holds_one_volunteer_per_member(community, member):
    from points.models import Volunteer

    VolunteerFactory(community=community, member=member)
    second = VolunteerFactory(community=community)
    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=second.pk).update(member=member)


def test_staff_who_cannot_see_household_members_cannot_link_one(street_staff, community, member):
    with pytest.raises(NotAllowed, match="村居干部或街道班子成员"):
        services.volunteer_create(actor=street_staff, community=community, name="王秀英", member=member)
    volunteer = services.volunteer_create(actor=street_staff, community=community, name="王秀英")
    assert volunteer.member is None


def test_editing_without_touching_the_link_keeps_it_whoever_edits(cadre, street_staff, community, member):
    volunteer = services.volunteer_create(actor=cadre, community=community, name="王秀英", member=member)
    services.volunteer_update(
        actor=street_staff,
        volunteer=volunteer,
        name="王秀英",
        phone="13800001111",
        corps=[],
        joined_on=volunteer.joined_on,
        active=True,
        member=volunteer.member,
    )
    volunteer.refresh_from_db()
    assert volunteer.member == member and volunteer.phone == "13800001111"
    with pytest.raises(NotAllowed):
        services.volunteer_update(
            actor=street_staff,
            volunteer=volunteer,
            name="王秀英",
            phone="",
            corps=[],
            joined_on=volunteer.joined_on,
            active=True,
            member=None,
        )
    volunteer.refresh_from_db()
    assert volunteer.member == member and volunteer.phone == "13800001111"


def test_unlinking_is_audited_with_the_member_before_and_after(cadre, community, member):
    from lucun.models import AuditEvent

    volunteer = services.volunteer_create(actor=cadre, community=community, name="王秀英", member=member)
    services.volunteer_update(
        actor=cadre,
        volunteer=volunteer,
        name="王秀英",
        phone="",
        corps=[],
        joined_on=volunteer.joined_on,
        active=True,
        member=None,
    )
    volunteer.refresh_from_db()
    assert volunteer.member is None
    event = AuditEvent.objects.filter(action="points.volunteer_update").latest("pk")
    assert event.changes["before"]["member"] == member.pk and event.changes["after"]["member"] is None


def test_removing_the_household_member_keeps_the_volunteer_unlinked(cadre, community, member):
    volunteer = services.volunteer_create(actor=cadre, community=community, name="王秀英", member=member)
    member.delete()
    volunteer.refresh_from_db()
    assert volunteer.member is None and volunteer.account.balance == 0


def test_the_same_person_is_not_registered_twice_in_one_community(cadre, community, other_cadre, other_community):
    from points.models import Volunteer

    services.volunteer_create(actor=cadre, community=community, name="张桂英", phone="13900001111")
    with pytest.raises(DomainError, match="139\\*\\*\\*\\*1111") as refused:
        services.volunteer_create(actor=cadre, community=community, name=" 张桂英 ", phone="13900001111")
    assert refused.value.code == "volunteer_exists"
    services.volunteer_create(actor=other_cadre, community=other_community, name="张桂英", phone="13900001111")
    services.volunteer_create(actor=cadre, community=community, name="张桂英", phone="")
    services.volunteer_create(actor=cadre, community=community, name="张桂英", phone="")
    assert Volunteer.objects.filter(name="张桂英").count() == 4


def test_revoking_a_revoked_token_changes_nothing(cadre, volunteer):
    from lucun.models import AuditEvent

    services.volunteer_token_revoke(actor=cadre, volunteer=volunteer)
    events = AuditEvent.objects.count()
    services.volunteer_token_revoke(actor=cadre, volunteer=volunteer)
    assert AuditEvent.objects.count() == events


def test_a_second_item_of_the_same_name_in_one_shop_is_refused(cadre, community, reward):
    from points.models import Reward

    with pytest.raises(DomainError, match="已有“洗衣液”") as refused:
        services.reward_save(
            actor=cadre, reward=Reward(community=community, shop_name="爱心超市", name=" 洗衣液 ", price_points=5)
        )
    assert refused.value.code == "reward_exists"
    assert Reward.objects.filter(name="洗衣液").count() == 1


def test_a_catalogue_edit_of_other_fields_leaves_the_stock_redemptions_changed(cadre, reward):
    from points.models import Reward

    stale = Reward.objects.get(pk=reward.pk)
    Reward.objects.filter(pk=reward.pk).update(stock=2)  # a redemption at the counter meanwhile
    stale.price_points = 40
    services.reward_save(actor=cadre, reward=stale, fields=["price_points"])
    reward.refresh_from_db()
    assert (reward.price_points, reward.stock) == (40, 2)
