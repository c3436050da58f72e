"""casemgr.media: photos are checked by content, turned upright, shrunk and stripped."""

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from casemgr.media import photos
from casemgr.media.capture import read_capture
from tests import photo_files as files

LIMIT = 16 * 1024 * 1024
JAKARTA = ZoneInfo("Asia/Jakarta")
ROXBURY = (42.316782, -71.085581)


def stored(photo):
    return Image.open(io.BytesIO(photo.content))


def test_orientation_is_applied_then_exif_and_gps_are_gone():
    tags = files.exif(orientation=6, taken_at=datetime(2026, 12, 7, 10, 0), position=ROXBURY,
                      camera=("Acme", "Phone 9"))
    raw = files.jpeg(files.two_colour((40, 20)), tags)

    photo = photos.check_photo(raw, "drain.jpg", LIMIT)

    image = stored(photo)
    # Orientation 6 means "turn 90 degrees clockwise to view": 40 x 20 becomes 20 x 40
    # with the left (red) half on top.
    assert image.size == (20, 40) == (photo.width, photo.height)
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert len(image.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)
    assert b"Exif" not in photo.content and b"Acme" not in photo.content


def test_capture_time_and_position_are_read_before_stripping():
    tags = files.exif(taken_at=datetime(2026, 12, 7, 10, 0), offset="+07:00", position=ROXBURY)

    photo = photos.check_photo(files.jpeg(tags=tags), "after.jpg", LIMIT)

    assert photo.capture.taken_at == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    assert photo.capture.lat == pytest.approx(ROXBURY[0], abs=1e-5)
    assert photo.capture.lon == pytest.approx(ROXBURY[1], abs=1e-5)


def test_capture_time_without_offset_is_the_city_wall_clock():
    tags = files.exif(taken_at=datetime(2026, 12, 7, 10, 0))
    image = Image.open(io.BytesIO(files.jpeg(tags=tags)))

    assert read_capture(image, JAKARTA).taken_at == datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    # Without a zone a wall-clock time says nothing certain.
    assert read_capture(image).taken_at is None


def test_a_photo_without_exif_has_no_capture_facts():
    photo = photos.check_photo(files.jpeg(), "plain.jpg", LIMIT)

    assert (photo.capture.taken_at, photo.capture.lat, photo.capture.lon) == (None, None, None)
    assert not photo.capture.has_position


def test_heic_is_accepted_and_stored_as_jpeg():
    raw = files.heic((64, 48))
    assert Image.open(io.BytesIO(raw)).format == "HEIF"

    photo = photos.check_photo(raw, "IMG_0001.HEIC", LIMIT)

    assert stored(photo).format == "JPEG"
    assert (photo.width, photo.height, photo.content_type) == (64, 48, "image/jpeg")


def test_a_12_mb_photo_of_6000_by_4000_is_shrunk_to_2048():
    raw = files.big_jpeg()
    assert len(raw) > 12_000_000

    photo = photos.check_photo(raw, "big.jpg", LIMIT)

    assert (photo.width, photo.height) == (2048, 1365)
    assert stored(photo).size == (2048, 1365)
    assert len(photo.content) < len(raw) / 5


def test_a_decompression_bomb_is_refused():
    raw = files.bomb_png()
    assert len(raw) < 200_000

    with pytest.raises(photos.PhotoError, match="decompression bomb"):
        photos.check_photo(raw, "innocent.png", LIMIT)


def test_too_many_pixels_below_pillows_own_limit_is_refused_from_the_header():
    raw = files.bomb_png.__wrapped__(side=7500)  # 56 megapixels

    with pytest.raises(photos.PhotoError, match="more than 50 million pixels"):
        photos.check_photo(raw, "wide.png", LIMIT)


@pytest.mark.parametrize(
    "raw",
    [files.NOT_A_PHOTO, b"%PDF-1.4 not a photo", b"GIF89a but not really"],
    ids=["text", "pdf", "gif-header"],
)
def test_content_decides_not_the_name(raw):
    with pytest.raises(photos.PhotoError, match="not a photo"):
        photos.check_photo(raw, "photo.jpg", LIMIT)


def test_a_real_photo_with_a_wrong_name_is_accepted():
    out = io.BytesIO()
    files.two_colour().save(out, "PNG")

    photo = photos.check_photo(out.getvalue(), "notes.txt", LIMIT)

    assert stored(photo).format == "JPEG"


def test_a_file_over_the_size_limit_is_refused():
    with pytest.raises(photos.PhotoError, match="larger than the limit of 10 MB"):
        photos.check_photo(files.big_jpeg(), "big.jpg", 10 * 1024 * 1024)
