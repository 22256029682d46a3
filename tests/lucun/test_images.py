"""The one image pipeline: every photo is checked against the settings' limits, turned upright, stripped, re-encoded."""

import importlib
import io
import os
import pkgutil
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django import forms as django_forms
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from cases.models import FeedbackPhoto
from lucun import forms
from lucun.files import thumbnail_name
from lucun.images import CleanImage, ImageRefused, image_clean, image_save, images_clean

ROOT = Path(__file__).resolve().parents[2]
PILLOW_DEFAULT = 1024 * 1024 * 1024 // 4 // 3  # Pillow's own MAX_IMAGE_PIXELS
GPS = 0x8825
ORIENTATION = 0x0112


def _photo(size=(64, 48), *, fmt="JPEG", mode="RGB", colour=(200, 30, 30), orientation=None, gps=True) -> bytes:
    image = Image.new(mode, size, colour)
    out = io.BytesIO()
    kwargs = {}
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "SecretPhoneMaker"  # Make
        if gps:
            exif[GPS] = {1: "N", 2: (36.0, 49.0, 12.0), 3: "E", 4: (117.0, 49.0, 30.0)}
        if orientation:
            exif[ORIENTATION] = orientation
        kwargs["exif"] = exif
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


# ------------------------------------------------------------------------------------------- globals


def _project_modules():
    """Every module of every app of this project, settings, entry points and migrations left out."""
    for config in apps.get_app_configs():
        path = Path(config.path)
        if ROOT not in path.parents:
            continue
        yield config.name
        for module in pkgutil.walk_packages([str(path)], prefix=f"{config.name}."):
            if re.search(r"\.(settings|migrations)(\.|$)|\.(wsgi|asgi)$", module.name):
                continue
            yield module.name


def test_no_module_of_any_app_changes_pillows_pixel_limit():
    names = list(_project_modules())
    assert {"lucun.images", "cases.services", "visits.services", "points.services", "deliberation.services"} <= set(
        names
    )
    assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT, "changed by a module Django loaded at start-up"
    for name in names:
        importlib.import_module(name)
        assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT, f"{name} changed PIL.Image.MAX_IMAGE_PIXELS"


@override_settings(LUCUN_IMAGE_MAX_PIXELS=1_000_000)
def test_a_pixel_bomb_is_refused_from_its_header_without_a_global_change():
    bomb = _photo((2000, 1000), fmt="PNG", mode="1", colour=0)  # 2 megapixels in a few hundred bytes
    assert len(bomb) < 10_000
    with pytest.raises(ImageRefused, match="尺寸太大了") as refused:
        image_clean(_upload(bomb, "bomb.png", "image/png"))
    assert refused.value.code == "too_many_pixels"
    assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT


def test_a_bomb_beyond_pillows_own_ceiling_gets_the_same_message():
    bomb = _photo((20_000, 20_000), fmt="PNG", mode="1", colour=0)  # 400 megapixels
    with pytest.raises(ImageRefused, match="尺寸太大了"):
        image_clean(_upload(bomb, "bomb.png", "image/png"))
    assert Image.MAX_IMAGE_PIXELS == PILLOW_DEFAULT


# ------------------------------------------------------------------------------------------- cleaning


def test_exif_with_the_gps_position_is_stripped():
    original = _photo()
    assert b"SecretPhoneMaker" in original and _open(original).getexif().get_ifd(GPS)
    clean = image_clean(_upload(original))
    stored = _open(clean.content)
    assert stored.format == "JPEG" and not stored.getexif() and not stored.getexif().get_ifd(GPS)
    assert b"SecretPhoneMaker" not in clean.content and b"Exif" not in clean.content
    assert set(stored.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"}
    assert not _open(clean.thumbnail).getexif()


def test_the_orientation_is_applied_before_the_metadata_goes():
    clean = image_clean(_upload(_photo((80, 40), orientation=6)))  # a phone held upright: rotate 90°
    assert (clean.width, clean.height) == (40, 80) == _open(clean.content).size


@override_settings(LUCUN_IMAGE_MAX_EDGE=100, LUCUN_IMAGE_THUMBNAIL_EDGE=20)
def test_the_long_edge_and_the_thumbnail_follow_the_settings():
    clean = image_clean(_upload(_photo((400, 200))))
    assert (clean.width, clean.height) == (100, 50) and clean.size == len(clean.content)
    assert _open(clean.thumbnail).size == (20, 10)
    small = image_clean(_upload(_photo((60, 30))))
    assert (small.width, small.height) == (60, 30)  # never enlarged


def test_a_transparent_png_becomes_a_jpeg_on_white():
    clean = image_clean(_upload(_photo((20, 20), fmt="PNG", mode="RGBA", colour=(0, 0, 0, 0)), "a.png", "image/png"))
    stored = _open(clean.content)
    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert min(stored.getpixel((10, 10))) > 240


def test_a_webp_is_accepted():
    clean = image_clean(_upload(_photo((30, 20), fmt="WEBP"), "a.webp", "image/webp"))
    assert _open(clean.content).format == "JPEG"


def _heic() -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    try:
        out = io.BytesIO()
        pillow_heif.from_pillow(Image.new("RGB", (40, 30), (0, 120, 0))).save(out, quality=80)
        return out.getvalue()
    except (RuntimeError, ValueError):  # a libheif built without an encoder: the committed sample
        return (Path(__file__).parent / "fixtures" / "sample.heic").read_bytes()


def test_a_heic_photo_from_an_iphone_is_accepted():
    clean = image_clean(_upload(_heic(), "IMG_0001.HEIC", "image/heic"))
    assert _open(clean.content).format == "JPEG" and (clean.width, clean.height) == (40, 30)


def test_a_cleaned_photo_passes_through_unchanged():
    clean = image_clean(_upload(_photo()))
    assert image_clean(clean) is clean


# ------------------------------------------------------------------------------------------- refusals


def test_a_photo_over_the_byte_limit_is_refused_in_chinese(settings):
    limit = settings.LUCUN_IMAGE_MAX_BYTES
    big = _upload(b"\xff\xd8" + b"0" * limit)
    with pytest.raises(ImageRefused, match=f"每张不能超过 {limit // 1024 // 1024} MB") as refused:
        image_clean(big)
    assert refused.value.code == "too_large"


@override_settings(LUCUN_IMAGE_MAX_BYTES=1024 * 1024)
def test_the_byte_limit_holds_when_the_stated_size_is_wrong():
    upload = _upload(_photo() + b"\0" * 1024 * 1024)
    upload.size = 10  # the stated size is not taken on trust
    with pytest.raises(ImageRefused, match="每张不能超过 1 MB"):
        image_clean(upload)


def test_a_text_file_named_jpg_is_refused_as_not_a_photo():
    with pytest.raises(ImageRefused, match="不是能打开的照片") as refused:
        image_clean(_upload(b"hello, I am not a photo" * 10))
    assert refused.value.code == "not_image"


def test_a_truncated_photo_is_refused_as_not_a_photo():
    whole = _photo((400, 300))
    with pytest.raises(ImageRefused, match="不是能打开的照片"):
        image_clean(_upload(whole[: len(whole) // 2]))


def test_a_picture_in_another_format_is_refused_as_unsupported():
    for fmt in ("GIF", "BMP", "TIFF"):
        with pytest.raises(ImageRefused, match="只能上传 JPG、PNG、WebP 或 HEIC") as refused:
            image_clean(_upload(_photo(fmt=fmt), f"a.{fmt.lower()}", "image/x"))
        assert refused.value.code == "unsupported_format"


def test_an_empty_file_is_refused():
    with pytest.raises(ImageRefused, match="是空的"):
        image_clean(_upload(b""))


def test_several_photos_are_refused_together_each_by_its_number():
    with pytest.raises(ImageRefused) as refused:
        images_clean([_upload(_photo()), _upload(b"nope" * 10), _upload(b"")])
    assert refused.value.messages == [
        "第 2 张照片:这个文件不是能打开的照片,请重新选择一张照片。",
        "第 3 张照片:这张照片是空的,请重新选择。",
    ]
    with pytest.raises(ImageRefused, match="最多上传 2 张照片,您选了 3 张"):
        images_clean([_upload(_photo())] * 3, most=2)


# ------------------------------------------------------------------------------------------- storing


def test_a_stored_photo_has_a_random_name_a_thumbnail_beside_it_and_the_given_file_time():
    clean = image_clean(_upload(_photo(), "张三家门口.jpg"))
    moment = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    name = image_save(image=clean, field=FeedbackPhoto._meta.get_field("image"), moment=moment)
    assert re.fullmatch(r"feedback/[0-9a-f]{32}\.jpg", name)
    assert thumbnail_name(name) == name.removesuffix(".jpg") + "-thumb.jpg"
    assert default_storage.open(name).read() == clean.content
    assert default_storage.open(thumbnail_name(name)).read() == clean.thumbnail
    for stored in (name, thumbnail_name(name)):
        assert os.stat(default_storage.path(stored)).st_mtime == moment.timestamp()


# ------------------------------------------------------------------------------------------- form fields


def test_the_form_fields_clean_through_the_pipeline_and_offer_the_accepted_formats():
    class Form(django_forms.Form):
        one = forms.PhotoField(required=False)
        many = forms.PhotosField(most=2, camera=True)

    form = Form(files={"many": [_upload(b"nope" * 10)]})
    assert not form.is_valid() and form.errors["many"] == ["这个文件不是能打开的照片,请重新选择一张照片。"]
    form = Form(files={"one": _upload(_photo()), "many": [_upload(_photo()), _upload(_photo())]})
    assert form.is_valid()
    assert isinstance(form.cleaned_data["one"], CleanImage) and len(form.cleaned_data["many"]) == 2
    html = str(Form()["many"])
    assert 'capture="environment"' in html and "image/heic" in html and "multiple" in html
