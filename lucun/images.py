"""One pipeline for every uploaded photo: checked, turned upright, stripped of metadata, re-encoded, thumbnailed.

Feedback photos, case, visit and meeting photos and points evidence all pass through ``image_clean``. Nothing of
the original file is kept: not its name, not its metadata (EXIF holds the phone model, the exact time and often
the GPS position), only the pixels, turned the way the camera meant and re-encoded as a JPEG no larger than
``LUCUN_IMAGE_MAX_EDGE``, with a small JPEG for galleries beside it. The limits are settings (``LUCUN_IMAGE_*``)
read at each call. The pixel count is checked from the header before anything is decoded, per call: Pillow's
process-wide ``MAX_IMAGE_PIXELS`` is left as it is. Cleaning happens in memory, so a refused photo leaves nothing
behind; the caller stores clean photos only once all of them passed.
"""

import functools
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db.models import FileField
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError
from .files import file_times_set, thumbnail_name

# What a phone sends: camera JPEGs (the JPEG opener also reads MPO, a JPEG with a second depth or preview frame),
# iPhone HEIC, screenshots in PNG, pictures saved from WeChat in WebP. Only these decoders ever run on an upload.
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPT = "image/jpeg,image/png,image/webp,image/heic,image/heif,.jpg,.jpeg,.png,.webp,.heic,.heif"
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80


class ImageRefused(DomainError):
    """An upload that is not taken as a photo, with a message for the sender (code: too_large, empty, not_image,
    too_many_pixels, unsupported_format, too_many)."""


@dataclass(frozen=True)
class CleanImage:
    """A photo that passed: a JPEG holding pixels only, and a small JPEG of it for galleries."""

    content: bytes
    width: int
    height: int
    thumbnail: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@functools.cache
def heif_register() -> bool:
    """Teach Pillow to open HEIC/HEIF (iPhone photos), once per process; False without pillow-heif."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - a dependency of the project; without it HEIC is refused as unsupported
        return False
    pillow_heif.register_heif_opener()
    return True


def _too_many_pixels() -> ImageRefused:
    megapixels = settings.LUCUN_IMAGE_MAX_PIXELS // 1_000_000
    return ImageRefused(
        _("照片尺寸太大了(超过 %(mp)d 百万像素),请换一张普通的手机照片。") % {"mp": megapixels},
        code="too_many_pixels",
    )


def _not_an_image() -> ImageRefused:
    return ImageRefused(_("这个文件不是能打开的照片,请重新选择一张照片。"), code="not_image")


def _unsupported(data: bytes) -> ImageRefused:
    """Tell a picture in a format we do not take (GIF, BMP, TIFF…) from a file that is no picture at all."""
    try:
        with Image.open(io.BytesIO(data)):  # the header only: nothing is decoded
            pass
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError, EOFError):
        return _not_an_image()
    return ImageRefused(_("只能上传 JPG、PNG、WebP 或 HEIC 格式的照片。"), code="unsupported_format")


def _read(upload) -> bytes:
    limit = settings.LUCUN_IMAGE_MAX_BYTES
    too_large = ImageRefused(
        _("照片太大了:每张不能超过 %(mb)d MB。可以换一张,或者不传照片。") % {"mb": limit // (1024 * 1024)},
        code="too_large",
    )
    if (getattr(upload, "size", None) or 0) > limit:
        raise too_large  # refused on the stated size, before a byte is read
    upload.seek(0)
    data = upload.read(limit + 1)  # and on what is really there
    if len(data) > limit:
        raise too_large
    if not data:
        raise ImageRefused(_("这张照片是空的,请重新选择。"), code="empty")
    return data


def _flatten(image: Image.Image) -> Image.Image:
    """Return the image in RGB, with any transparency laid on white (a JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # A fresh image has an empty info dict and is saved without exif=, icc_profile= or xmp=: no metadata at all.
    bare = Image.new("RGB", image.size)
    bare.paste(image)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def image_clean(upload) -> CleanImage:
    """Check an uploaded photo and return it upright, re-encoded as a JPEG without metadata; raise ImageRefused.

    A photo already cleaned is returned as it is, so a form may clean early and its service again.
    """
    if isinstance(upload, CleanImage):
        return upload
    data = _read(upload)
    edge = settings.LUCUN_IMAGE_MAX_EDGE
    formats = [name for name in FORMATS if name != "HEIF" or heif_register()]
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:  # reads the header only
            width, height = image.size
            if width * height > settings.LUCUN_IMAGE_MAX_PIXELS:
                raise _too_many_pixels()
            image.draft("RGB", (edge, edge))  # a JPEG decodes at the smallest scale that still fills the edge
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop the EXIF
            picture = _flatten(upright)
    except UnidentifiedImageError as exc:
        raise _unsupported(data) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own, looser ceiling
        raise _too_many_pixels() from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # a damaged or truncated file
        raise _not_an_image() from exc
    picture.thumbnail((edge, edge))
    thumb = picture.copy()
    thumb.thumbnail((settings.LUCUN_IMAGE_THUMBNAIL_EDGE,) * 2)
    return CleanImage(
        content=_jpeg(picture, JPEG_QUALITY),
        width=picture.width,
        height=picture.height,
        thumbnail=_jpeg(thumb, THUMBNAIL_QUALITY),
    )


def images_clean(uploads: Iterable, *, most: int | None = None) -> list[CleanImage]:
    """Clean several photos, all or none: one ImageRefused names every photo that failed by its number."""
    uploads = [upload for upload in uploads if upload]
    if most is not None and len(uploads) > most:
        raise ImageRefused(
            _("最多上传 %(n)d 张照片,您选了 %(m)d 张。") % {"n": most, "m": len(uploads)}, code="too_many"
        )
    cleaned, errors = [], []
    for number, upload in enumerate(uploads, start=1):
        try:
            cleaned.append(image_clean(upload))
        except ImageRefused as exc:
            prefix = _("第 %(n)d 张照片:") % {"n": number} if len(uploads) > 1 else ""
            errors += [ImageRefused(f"{prefix}{message}", code=exc.code) for message in exc.messages]
    if errors:
        raise ImageRefused(errors)
    return cleaned


def image_save(*, image: CleanImage, field: FileField, moment: datetime | None = None) -> str:
    """Store a clean photo and its thumbnail under the field's random name; return the name to put in the row.

    ``moment``: the time the files should carry instead of now (anonymous feedback keeps only the hour).
    """
    storage: Storage = field.storage
    name = storage.save(field.generate_filename(None, "photo.jpg"), ContentFile(image.content))
    try:
        thumb = storage.save(thumbnail_name(name), ContentFile(image.thumbnail))
        if thumb != thumbnail_name(name):  # pragma: no cover - the name is random; a clash would mismatch the pair
            storage.delete(thumb)
            raise OSError(f"thumbnail name taken: {thumb}")
    except Exception:
        storage.delete(name)
        raise
    if moment is not None:
        file_times_set(thumb, moment, storage)
        file_times_set(name, moment, storage)
    return name


def image_delete(name: str, *, field: FileField) -> None:
    """Remove a stored photo and its thumbnail (a write that failed after the files were stored)."""
    field.storage.delete(name)
    field.storage.delete(thumbnail_name(name))
