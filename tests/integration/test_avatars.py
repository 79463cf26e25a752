"""Profile photos are judged by content, re-encoded without EXIF, and kept to their owner's tenant."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from services import avatars
from storage import customers as customer_db
from storage import tenants as tenant_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
GPS_IFD = 0x8825


def photo(fmt: str = 'JPEG', size: tuple[int, int] = (1200, 900), *, gps: bool = False, mode: str = 'RGB') -> bytes:
    img = Image.new(mode, size, (200, 80, 40) if mode == 'RGB' else (200, 80, 40, 128))
    out = io.BytesIO()
    kwargs = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = 'PhoneMaker'  # camera make
        exif.get_ifd(GPS_IFD).update({1: 'N', 2: (52.0, 31.0, 12.0), 3: 'E', 4: (13.0, 24.0, 36.0)})
        kwargs['exif'] = exif.tobytes()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def animated(fmt: str) -> bytes:
    frames = [Image.new('RGB', (64, 64), c) for c in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def bomb() -> bytes:
    # 20,000 x 20,000 one-bit pixels: a few kilobytes on disk, 400 megapixels once decoded.
    out = io.BytesIO()
    Image.new('1', (20_000, 20_000)).save(out, format='PNG', optimize=True)
    return out.getvalue()


def test_a_jpeg_with_gps_comes_back_as_a_small_webp_without_any_exif() -> None:
    original = photo(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo really has a location
    clean = avatars.process_avatar(original)
    img = Image.open(io.BytesIO(clean))
    assert img.format == 'WEBP'
    assert max(img.size) == 512 and img.size == (512, 384)
    assert not img.getexif() and 'exif' not in img.info


@pytest.mark.parametrize('fmt', ['PNG', 'WEBP'])
def test_png_and_webp_are_accepted_and_transparency_kept(fmt: str) -> None:
    clean = avatars.process_avatar(photo(fmt, (300, 200), mode='RGBA'))
    img = Image.open(io.BytesIO(clean))
    assert img.size == (300, 200) and img.mode == 'RGBA'


@pytest.mark.parametrize(('data', 'message'), [
    (b'GIF89a' + b'\0' * 100, 'not a JPG, PNG or WEBP'),
    (b'<?php system($_GET["c"]); ?>', 'not a JPG, PNG or WEBP'),
    (photo('GIF', (50, 50)), 'not a JPG, PNG or WEBP'),
    (photo('BMP', (50, 50)), 'not a JPG, PNG or WEBP'),
    (photo()[:400], 'not a JPG, PNG or WEBP'),  # cut short
    (b'', 'empty'),
    (b'\xff\xd8' + b'\0' * (2 * 1024 * 1024), 'larger than 2 MB'),
])
def test_disguised_broken_empty_and_oversize_files_are_refused_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(avatars.AvatarRefused, match=message):
        avatars.process_avatar(data)


@pytest.mark.parametrize('fmt', ['PNG', 'WEBP'])
def test_animated_images_are_refused(fmt: str) -> None:
    with pytest.raises(avatars.AvatarRefused, match='Animated'):
        avatars.process_avatar(animated(fmt))


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    data = bomb()
    assert len(data) < avatars.MAX_BYTES
    with pytest.raises(avatars.AvatarRefused, match='too large in pixels'):
        avatars.process_avatar(data)


def test_the_photo_is_stored_for_its_owner_and_served_only_within_the_tenant(db) -> None:
    with db.write() as s:
        lumen = tenant_db.create_tenant(s, slug='lumen', name='Lumen')
        other = tenant_db.create_tenant(s, slug='other', name='Other')
        ada = customer_db.create_customer(s, tenant_id=lumen, email='ada@example.com', now=NOW)
    url = avatars.save_avatar(db, tenant_id=lumen, customer_id=ada, data=photo(), now=NOW)
    assert url == f'/avatar/{ada}?v=1'
    content_type, data = avatars.avatar_image(db, tenant_id=lumen, customer_id=ada, viewer_customer_id=ada)
    assert content_type == 'image/webp' and Image.open(io.BytesIO(data)).format == 'WEBP'
    assert avatars.avatar_image(db, tenant_id=other, customer_id=ada, viewer_customer_id=ada) is None
    with pytest.raises(avatars.AvatarRefused):  # a customer id from another business is nobody here
        avatars.save_avatar(db, tenant_id=other, customer_id=ada, data=photo(), now=NOW)
    assert avatars.save_avatar(db, tenant_id=lumen, customer_id=ada, data=photo('PNG'), now=NOW) == \
        f'/avatar/{ada}?v=2'
    avatars.remove_avatar(db, tenant_id=lumen, customer_id=ada)
    assert avatars.avatar_image(db, tenant_id=lumen, customer_id=ada, viewer_customer_id=ada) is None


def test_another_customer_of_the_same_business_never_gets_the_photo(db) -> None:
    with db.write() as s:
        lumen = tenant_db.create_tenant(s, slug='lumen', name='Lumen')
        ada = customer_db.create_customer(s, tenant_id=lumen, email='ada@example.com', now=NOW)
        bob = customer_db.create_customer(s, tenant_id=lumen, email='bob@example.com', now=NOW)
    avatars.save_avatar(db, tenant_id=lumen, customer_id=ada, data=photo(), now=NOW)
    assert avatars.avatar_image(db, tenant_id=lumen, customer_id=ada, viewer_customer_id=bob) is None
    assert avatars.avatar_image(db, tenant_id=lumen, customer_id=ada, viewer_customer_id=None) is None
    # The hook the admin area will use: the business's own admins may see their customers' photos.
    assert avatars.avatar_image(db, tenant_id=lumen, customer_id=ada, viewer_customer_id=None,
                                viewer_is_admin=True) is not None
