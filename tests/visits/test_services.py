import io
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from lucun.models import AuditEvent
from tests.factories import CommunityFactory, GridFactory, UserFactory
from tests.visits.factories import AttentionTagFactory, HouseholdFactory, VisitTeamFactory
from visits import services
from visits.models import AttentionTag, Household, VisitAssignment, VisitLog, VisitPhoto, VisitRequest

pytestmark = pytest.mark.django_db


def _visit(household, actor, key=None, **extra):
    kwargs = {
        "actor": actor,
        "household": household,
        "visited_at": timezone.now(),
        "visitors": [actor, UserFactory()],
        "idempotency_key": key or uuid.uuid4(),
    }
    kwargs.update(extra)
    return services.visitlog_create(**kwargs)


# ----------------------------------------------------------------------------------------- plan


def test_plan_build_covers_every_community_once_per_cycle(street, supervisor):
    communities = [CommunityFactory(street=street, sort_order=i) for i in range(6)]
    teams = [VisitTeamFactory(street=street) for _ in range(3)]
    cycles = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5), cycles=3)
    assert [c.number for c in cycles] == [1, 2, 3]
    assert cycles[0].ends_on == date(2026, 2, 1)  # two slots of two weeks
    assert cycles[1].starts_on == date(2026, 2, 2)
    for cycle in cycles:
        planned = list(cycle.assignments.values_list("community", flat=True))
        assert sorted(planned) == sorted(c.pk for c in communities)
        assert cycle.assignments.values("team").distinct().count() == len(teams)


def test_plan_build_refuses_to_overlap_an_existing_cycle(street, supervisor):
    CommunityFactory(street=street)
    VisitTeamFactory(street=street)
    services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    with pytest.raises(ValidationError, match="重叠"):
        services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 10))


def test_editing_an_assignment_to_a_taken_community_swaps_them(street, supervisor):
    a, b = CommunityFactory(street=street), CommunityFactory(street=street)
    VisitTeamFactory(street=street)
    VisitTeamFactory(street=street)
    (cycle,) = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    first = cycle.assignments.get(community=a)
    other_pk = cycle.assignments.get(community=b).pk
    services.assignment_update(
        actor=supervisor,
        assignment=first,
        team=first.team,
        community=b,
        starts_on=first.starts_on,
        ends_on=first.ends_on,
    )
    assert VisitAssignment.objects.get(pk=first.pk).community == b
    assert VisitAssignment.objects.get(pk=other_pk).community == a
    assert AuditEvent.objects.filter(action="visits.assignment_update").count() == 1


def test_assignment_dates_must_stay_inside_the_cycle(street, supervisor):
    CommunityFactory(street=street)
    VisitTeamFactory(street=street)
    (cycle,) = services.cycle_plan_build(actor=supervisor, street=street, starts_on=date(2026, 1, 5))
    line = cycle.assignments.get()
    with pytest.raises(ValidationError, match="之内"):
        services.assignment_update(
            actor=supervisor,
            assignment=line,
            team=line.team,
            community=line.community,
            starts_on=line.starts_on,
            ends_on=cycle.ends_on + timedelta(days=1),
        )


# ---------------------------------------------------------------------------------- households


def test_household_with_tags_defaults_to_monthly_attention(community, cadre):
    tag = AttentionTagFactory()
    household = services.household_create(
        actor=cadre,
        community=community,
        data=services.HouseholdData(head_name="李玉兰", group="二组", door_number="8", tags=[tag]),
    )
    assert household.attention_level == Household.AttentionLevel.MONTHLY
    assert household.address == "二组 8号"
    assert "lyl" in household.search_key


def test_household_grid_must_belong_to_the_community(community, other_community, cadre):
    with pytest.raises(ValidationError, match="网格"):
        services.household_create(
            actor=cadre,
            community=community,
            data=services.HouseholdData(head_name="李四", group="一组", grid=GridFactory(community=other_community)),
        )


def _rows(*dicts):
    return [(i + 2, d) for i, d in enumerate(dicts)]


def test_import_creates_every_row_when_all_are_valid(community, grid, cadre):
    tag = AttentionTag.objects.get(name="低保/特困")  # a default row
    report = services.household_import(
        actor=cadre,
        community=community,
        rows=_rows(
            {"head_name": "张三", "group": "一组", "door_number": "1", "grid": "第一网格", "tags": ["低保/特困"]},
            {
                "head_name": "李四",
                "estate": "雍翠园",
                "building": "3",
                "unit": "1",
                "room": "101",
                "phone": "13800001111",
            },
        ),
    )
    assert (report.total, report.created, report.rejected) == (2, 2, [])
    zhang = Household.objects.get(head_name="张三")
    assert list(zhang.tags.all()) == [tag] and zhang.grid == grid
    assert zhang.attention_level == Household.AttentionLevel.MONTHLY


def test_import_rejects_bad_rows_and_imports_nothing(community, cadre):
    HouseholdFactory(community=community, head_name="王五", group="一组", door_number="9")
    report = services.household_import(
        actor=cadre,
        community=community,
        rows=_rows(
            {"head_name": "张三", "group": "一组", "door_number": "1"},
            {"head_name": "", "group": "一组", "door_number": "2"},
            {"head_name": "赵六", "group": "一组", "door_number": "3", "phone": "12345", "grid": "不存在"},
            {"head_name": "王五", "group": "一组", "door_number": "9"},
            {"head_name": "张三", "group": "一组", "door_number": "1", "people_count": "x"},
        ),
    )
    assert report.created == 0
    assert Household.objects.filter(community=community).count() == 1
    reasons = dict(report.rejected)
    assert sorted(reasons) == [3, 4, 5, 6]
    assert reasons[3] == ["缺少户主姓名"]
    assert any("网格" in r for r in reasons[4]) and any("电话" in r for r in reasons[4])
    assert reasons[5] == ["已有同一地址、同一户主的住户"]
    assert "与第 2 行重复" in reasons[6] and "家庭人口必须是正整数" in reasons[6]


# ---------------------------------------------------------------------------------- visit logs


def test_visit_log_records_requests_and_last_visit(community, cadre):
    household = HouseholdFactory(community=community)
    log, created = _visit(
        household,
        cadre,
        requests=[services.RequestInput("路灯不亮"), services.RequestInput("咨询低保政策", answered=True)],
    )
    assert created
    assert log.visitors.count() == 2
    assert list(log.requests.values_list("text", "status")) == [("路灯不亮", "open"), ("咨询低保政策", "answered")]
    household.refresh_from_db()
    assert household.last_visited_at == log.visited_at
    assert AuditEvent.objects.filter(action="visits.visitlog_create", object_id=str(log.pk)).exists()


def test_resubmitting_the_same_key_creates_one_log(community, cadre):
    household = HouseholdFactory(community=community)
    key = uuid.uuid4()
    first, created = _visit(household, cadre, key, requests=[services.RequestInput("修路")])
    again, created_again = _visit(household, cadre, key, requests=[services.RequestInput("修路")])
    assert created and not created_again
    assert again.pk == first.pk
    assert VisitLog.objects.count() == 1 and VisitRequest.objects.count() == 1


def test_a_key_reused_for_another_household_is_refused(community, cadre):
    key = uuid.uuid4()
    _visit(HouseholdFactory(community=community), cadre, key)
    with pytest.raises(ValidationError, match="提交键"):
        _visit(HouseholdFactory(community=community), cadre, key)


def test_a_visit_needs_two_visitors(community, cadre):
    with pytest.raises(ValidationError, match="两名"):
        _visit(HouseholdFactory(community=community), cadre, visitors=[cadre, cadre])
    assert not VisitLog.objects.exists()


def _jpeg_with_exif(size=(3000, 2000), orientation=None) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "camera-software"
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825)[2] = (36.0, 50.0, 0.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_photos_are_resized_and_stripped_of_exif(community, cadre, settings):
    log, _ = _visit(HouseholdFactory(community=community), cadre, photos=[_jpeg_with_exif()])
    photo = VisitPhoto.objects.get(log=log)
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == settings.LUCUN_IMAGE_MAX_EDGE
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert b"PhoneMaker" not in photo.image.open("rb").read()


def test_photo_orientation_is_applied_before_exif_is_dropped(community, cadre):
    log, _ = _visit(HouseholdFactory(community=community), cadre, photos=[_jpeg_with_exif((800, 400), orientation=6)])
    photo = log.photos.get()
    assert (photo.width, photo.height) == (400, 800)


def test_png_is_accepted_and_stored_as_jpeg(community, cadre):
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(buffer, format="PNG")
    log, _ = _visit(
        HouseholdFactory(community=community),
        cadre,
        photos=[SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")],
    )
    assert log.photos.get().image.name.endswith(".jpg")


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_saved(community, cadre):
    fake = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是能打开的照片"):
        _visit(HouseholdFactory(community=community), cadre, photos=[fake])
    assert not VisitLog.objects.exists()


def test_visit_in_the_future_is_refused(community, cadre):
    with pytest.raises(ValidationError, match="晚于现在"):
        _visit(HouseholdFactory(community=community), cadre, visited_at=timezone.now() + timedelta(hours=2))
