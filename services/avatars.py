"""Profile photos: judged by their content, never their name; re-encoded small and stripped of EXIF (GPS included).

Pillow work blocks: pages call `save_avatar` through `run.io_bound`.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError

from domain.accounts import may_see_avatar
from domain.i18n import lazy
from domain.rules import why_not_upload_avatar
from services.accounts import AccountError
from storage import customers as customer_db
from storage import tenants as tenant_db
from storage.db import Database

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 512
ACCEPTED = ('JPEG', 'PNG', 'WEBP')
# A 2 MB file has no business decoding into more than ~40 megapixels: anything larger is a decompression bomb.
MAX_PIXELS = 40_000_000
OUTPUT_TYPE = 'image/webp'
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class AvatarRefused(AccountError):
    pass


def process_avatar(data: bytes) -> bytes:
    """A clean WEBP of at most 512x512 from an uploaded JPG, PNG or WEBP; AvatarRefused says what is wrong."""
    if len(data) > MAX_BYTES:
        raise AvatarRefused(lazy('That photo is larger than 2 MB. Choose a smaller one.'))
    if not data:
        raise AvatarRefused(lazy('That file is empty.'))
    with warnings.catch_warnings():
        warnings.simplefilter('error', Image.DecompressionBombWarning)
        try:
            _check(data)
            with Image.open(io.BytesIO(data), formats=ACCEPTED) as opened:
                opened.load()
                img = ImageOps.exif_transpose(opened)  # keep the photo upright once the orientation tag is gone
                img = img.convert('RGBA' if _has_alpha(img) else 'RGB')
                img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                img.save(out, format='WEBP', quality=85, method=4)  # no exif= argument: EXIF and GPS are dropped
        except AvatarRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise AvatarRefused(lazy('That image is too large in pixels. Choose a photo of normal size.')) from e
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
            raise AvatarRefused(lazy('That file is not a JPG, PNG or WEBP image.')) from e
    return out.getvalue()


def save_avatar(db: Database, *, tenant_id: int, customer_id: int, data: bytes, now: datetime) -> str:
    """Store the customer's own new photo and return its address (which changes with every upload), when the
    business takes photos (Panel Designer: allow_avatar_upload); AvatarRefused says why not."""
    with db.read() as s:
        refusal = why_not_upload_avatar(tenant_db.panel_settings(s, tenant_id=tenant_id))
    if refusal:
        raise AvatarRefused(refusal)
    clean = process_avatar(data)
    with db.write() as s:
        if customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id) is None:
            raise AvatarRefused(lazy('We could not find your account.'))
        customer_db.save_avatar(s, tenant_id=tenant_id, customer_id=customer_id, content_type=OUTPUT_TYPE, data=clean,
                                now=now)
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
    assert customer is not None and customer.avatar_url
    return customer.avatar_url


def remove_avatar(db: Database, *, tenant_id: int, customer_id: int) -> None:
    with db.write() as s:
        customer_db.remove_avatar(s, tenant_id=tenant_id, customer_id=customer_id)


def avatar_image(db: Database, *, tenant_id: int, customer_id: int, viewer_customer_id: int | None,
                 viewer_is_admin: bool = False) -> tuple[str, bytes] | None:
    """(content type, bytes) of a customer's photo for its owner (or an admin of the same business); None for
    anyone else, the same answer as for no photo at all.

    The admin area passes viewer_is_admin=True once it has its own sessions; nothing sets it today.
    """
    if not may_see_avatar(owner_id=customer_id, viewer_customer_id=viewer_customer_id,
                          viewer_is_admin=viewer_is_admin):
        return None
    with db.read() as s:
        return customer_db.avatar(s, tenant_id=tenant_id, customer_id=customer_id)


def _check(data: bytes) -> None:
    with Image.open(io.BytesIO(data), formats=ACCEPTED) as probe:
        if getattr(probe, 'is_animated', False) or getattr(probe, 'n_frames', 1) > 1:
            raise AvatarRefused(lazy('Animated images cannot be used as a profile photo.'))
        probe.verify()  # structure and checksums; the image must be opened again afterwards


def _has_alpha(img: Image.Image) -> bool:
    return img.mode in ('RGBA', 'LA', 'PA') or (img.mode == 'P' and 'transparency' in img.info)
