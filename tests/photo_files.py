"""Photo files made on the spot for the tests: EXIF tags, HEIC, a big photo, a bomb."""

import io
import struct
import zlib
from functools import lru_cache

import pillow_heif
from PIL import Image

ORIENTATION = 0x0112
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011

pillow_heif.register_heif_opener()


def _dms(value):
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def exif(orientation=None, taken_at=None, offset=None, position=None, camera=None):
    """An EXIF block: `taken_at` a naive datetime, `position` (lat, lon) in degrees."""
    tags = Image.Exif()
    if orientation:
        tags[ORIENTATION] = orientation
    if camera:
        tags[0x010F], tags[0x0110] = camera
    if taken_at is not None:
        details = tags.get_ifd(EXIF_IFD)
        details[DATETIME_ORIGINAL] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        if offset:
            details[OFFSET_TIME_ORIGINAL] = offset
    if position is not None:
        lat, lon = position
        gps = tags.get_ifd(GPS_IFD)
        gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    return tags


def two_colour(size=(40, 20)):
    """Red on the left half, blue on the right: shows which way the photo was turned."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def jpeg(image=None, tags=None, quality=90):
    out = io.BytesIO()
    image = image or two_colour()
    if tags is not None:
        image.save(out, "JPEG", quality=quality, exif=tags)
    else:
        image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def heic(size=(64, 48)):
    out = io.BytesIO()
    two_colour(size).save(out, "HEIF", quality=80)
    return out.getvalue()


@lru_cache(maxsize=1)
def big_jpeg():
    """A 6000 x 4000 photo of about 12 MB: noise does not compress."""
    noise = Image.effect_noise((6000, 4000), 60).convert("RGB")
    return jpeg(noise, quality=75)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@lru_cache(maxsize=1)
def bomb_png(side=12_000):
    """A few hundred KB of PNG that would decode to side x side pixels (144 megapixels)."""
    packer = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte and one grey byte per pixel
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data)
            + png_chunk(b"IEND", b""))


NOT_A_PHOTO = b"Dear city, this is a text file with a .jpg name.\n"
