"""Visit photos: accept what a phone camera sends, keep a resized JPEG without any metadata."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency; this keeps JPEG/PNG working without it
    HEIC_SUPPORTED = False

ACCEPTED_FORMATS = {"JPEG", "PNG", "MPO"} | ({"HEIF", "HEIC"} if HEIC_SUPPORTED else set())
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 60_000_000  # refuse decompression bombs before decoding


def photo_clean(upload) -> ContentFile:
    """Return the photo re-encoded as a JPEG of at most 1600 px a side, upright, with no EXIF (no GPS).

    Raise ValidationError with a Chinese message for anything that is not an accepted image.
    """
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片“%(name)s”超过 15 MB。") % {"name": upload.name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise ValidationError(_("照片“%(name)s”格式不支持,请上传 JPEG、PNG 或 HEIC。") % {"name": upload.name})
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("照片“%(name)s”尺寸过大。") % {"name": upload.name})
            image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            # A fresh image holds pixels only: no EXIF, GPS, XMP or ICC data survives.
            clean = Image.new("RGB", image.size)
            clean.paste(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("“%(name)s”不是可识别的图片。") % {"name": upload.name}) from exc
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=82, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")
