"""Evidence photos: re-encoded with Pillow so no EXIF (location, device, time) is ever stored."""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early


def reencode_photo(upload) -> ContentFile:
    """Return the photo as a fresh JPEG without metadata, turned upright and at most MAX_SIDE pixels."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("照片太大,请上传 10MB 以内的照片。"))
    try:
        upload.seek(0)
        with Image.open(upload) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("无法识别的图片,请上传 JPG 或 PNG 照片。")) from exc
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    # A new image object carries no info dict; saving without exif= writes no EXIF block.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
