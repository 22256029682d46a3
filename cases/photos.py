"""Photos sent with anonymous feedback: checked, re-encoded as JPEG without EXIF, size-limited.

Nothing of the original file is kept: not its name, not its metadata (EXIF holds the phone model,
the exact time and often the GPS position), only the pixels, re-encoded.
"""

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lucun.errors import DomainError

try:  # HEIC/HEIF from iPhones; without the plugin such photos are refused with a plain message.
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - the dependency is installed with the project
    pillow_heif = None

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
# A small file may claim enormous dimensions (a "pixel bomb"); the header is checked before decoding.
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
OUTPUT_MAX_SIDE = 2048
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "HEIF"}


class PhotoError(DomainError):
    """A photo that cannot be accepted, with a message for the sender."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.content)


def photo_clean(upload) -> CleanPhoto:
    """Check an uploaded photo and return it re-encoded as a JPEG with no metadata, or raise PhotoError."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise PhotoError(_("照片太大了:每张不能超过 8 MB。可以换一张,或者不传照片。"))
    if not size:
        raise PhotoError(_("这张照片是空的,请重新选择。"))
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)  # reads the header only
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoError(_("只能上传 JPG、PNG 或 HEIC 格式的照片。"))
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise PhotoError(_("照片尺寸太大了,请换一张普通的手机照片。"))
            image = ImageOps.exif_transpose(image)  # keep the photo upright, then drop the metadata
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            elif image.mode != "RGB":
                image = image.convert("RGB")
            image.thumbnail((OUTPUT_MAX_SIDE, OUTPUT_MAX_SIDE))
            out = io.BytesIO()
            # A fresh image saved without exif=/icc_profile= carries no metadata at all.
            image.save(out, format="JPEG", quality=85, optimize=True)
    except PhotoError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise PhotoError(_("照片尺寸太大了,请换一张普通的手机照片。")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoError(_("这个文件不是能打开的照片,请重新选择一张照片。")) from exc
    return CleanPhoto(content=out.getvalue(), width=image.width, height=image.height)
