"""An event's image, made fit for the web when it is uploaded: at most ``MAX_SIDE`` pixels
on its longer side, turned upright by its EXIF orientation, saved without its metadata
(which may hold where and when a photo was taken) as JPEG, or PNG when it has transparency.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.exceptions import ErrorCode, RuleViolation

MAX_SIDE = 1200
JPEG_QUALITY = 85


def image_prepared(upload: File[bytes]) -> ContentFile[bytes]:
    """The uploaded image, resized and re-encoded; refused (``image_invalid``) if it is not
    an image Pillow can read."""
    try:
        upload.seek(0)
        with Image.open(upload) as original:
            original.load()
            picture = ImageOps.exif_transpose(original) or original
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            transparent = picture.mode in ("RGBA", "LA", "P") and _has_alpha(picture)
            out = io.BytesIO()
            if transparent:
                picture.convert("RGBA").save(out, format="PNG", optimize=True)
                suffix = ".png"
            else:
                picture.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
                suffix = ".jpg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise RuleViolation(
            _("The file is not an image we can read. Please upload a JPEG or PNG picture."),
            field="image",
            code=ErrorCode.IMAGE_INVALID,
        ) from error
    stem = PurePath(upload.name or "image").stem[:80] or "image"
    return ContentFile(out.getvalue(), name=f"{stem}{suffix}")


def _has_alpha(picture: Image.Image) -> bool:
    if picture.mode == "P":
        return "transparency" in picture.info
    return True
