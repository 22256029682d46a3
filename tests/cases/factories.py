from cases.models import Case, Category, Tier
from cases.services import case_open


def tier(code: str = "assigned") -> Tier:
    return Tier.objects.get(code=code)


def fourth_tier() -> Tier:
    """A tier beyond the three seeded ones, as an office may add in the admin."""
    from datetime import timedelta

    return Tier.objects.create(
        code="quarter",
        name="季办",
        rank=4,
        time_limit=timedelta(days=90),
        warn_before=timedelta(days=10),
        notice_after_red=timedelta(days=7),
        first_contact_limit=timedelta(days=2),
    )


def category(code: str = "infrastructure") -> Category:
    return Category.objects.get(code=code)


def open_case(*, community, by, tier_code: str = "assigned", title: str = "村口道路破损", **kwargs) -> Case:
    """Open a case through the service, as every caller does."""
    kwargs.setdefault("source", Case.Source.WALK_IN)
    return case_open(community=community, title=title, created_by=by, tier=tier(tier_code), **kwargs)


def case_copies(case: Case, count: int, *, first_serial: int = 100) -> list[Case]:
    """Bulk-insert ``count`` copies of ``case`` (own serials and numbers), past every service, as a bulk load does."""
    copies = []
    for serial in range(first_serial, first_serial + count):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.serial, copy.number = serial, f"LH-2026-{serial:06d}"
        copies.append(copy)
    return Case.objects.bulk_create(copies)


def channel(*, community=None, street=None, kind=None, label="芦湖村文化广场"):
    """Create a feedback channel through the service (street-wide when no community is given)."""
    from cases.models import FeedbackChannel
    from cases.services import feedback_channel_create

    if kind is None:
        kind = FeedbackChannel.Kind.POSTER if community is not None else FeedbackChannel.Kind.STREET
    return feedback_channel_create(kind=kind, label=label, community=community, street=street)


def submit(*, channel, community=None, text="村口路灯坏了三盏,晚上看不见路。", **kwargs):
    """Store an anonymous message through the service, as the public page does."""
    from cases.services import feedback_submit

    feedback, _created = feedback_submit(channel=channel, community=community or channel.community, text=text, **kwargs)
    return feedback


def jpeg_bytes(*, size=(64, 48), exif: bool = True, fmt: str = "JPEG") -> bytes:
    """Return a small image; a JPEG carries EXIF with a camera, a time and a GPS position by default."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SecretPhoneMaker"  # Make
        data[0x0110] = "Model X"  # Model
        data[0x0132] = "2026:11:27 10:37:12"  # DateTime
        data[0x8825] = {1: "N", 2: (36.0, 49.0, 12.0), 3: "E", 4: (117.0, 49.0, 30.0)}  # GPS
        kwargs["exif"] = data
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def hotline_orders(*, street, by, accepted: list, community_name: str = "芦湖村", prefix: str = "GD") -> list[Case]:
    """Import one 12345 order per time in ``accepted`` through the import service; return their cases."""
    from django.utils import timezone

    from cases.services import hotline_orders_import

    rows = [
        (
            i + 2,
            {
                "number": f"{prefix}{i:05d}",
                "accepted_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S"),
                "content": "路灯坏了,晚上出行不便。",
                "address": f"{community_name}三组12号",
                "category": "基础设施",
                "time_limit": "5个工作日",
            },
        )
        for i, at in enumerate(accepted)
    ]
    report = hotline_orders_import(street=street, rows=rows, user=by)
    assert report.created == len(accepted), [r.message for r in report.rows]
    return list(Case.objects.filter(hotline_order__number__startswith=prefix).order_by("pk"))
