"""Check uploaded photos by their content and store them without metadata."""

import hashlib
import io
import logging
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from casemgr.media.capture import Capture, read_capture

log = logging.getLogger(__name__)

# Phones send HEIC; the plugin lets Pillow open it like any other format.
pillow_heif.register_heif_opener()

#: Longest side of a stored photo, in pixels.
MAX_SIDE = 2048
#: Images with more pixels than this are refused as possible decompression bombs.
MAX_PIXELS = 50_000_000
TOO_MANY_PIXELS = (
    f"the image has more than {MAX_PIXELS // 1_000_000} million pixels "
    "and is refused as a possible decompression bomb"
)
#: Decoders tried on an upload: nothing else is even attempted, whatever the file's name.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")


class PhotoError(Exception):
    """A file that is not an acceptable photo; the message says why."""


@dataclass
class CheckedPhoto:
    content: bytes
    width: int
    height: int
    sha256: str
    original_name: str
    content_type: str = "image/jpeg"
    #: When and where the camera says it was taken, read before the metadata is dropped.
    capture: Capture = Capture()


def check_photo(raw, original_name, max_bytes, zone=None):
    """Return the photo re-encoded as JPEG, upright, resized and without metadata.

    `zone` is the city's time zone, for capture times that carry no offset.
    """
    if not raw:
        raise PhotoError("the file is empty")
    if len(raw) > max_bytes:
        raise PhotoError(f"the file is larger than the limit of {max_bytes / 1024 / 1024:g} MB")

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(TOO_MANY_PIXELS)
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise PhotoError(
                "the file is not a photo: send a JPEG, PNG, WebP, GIF or HEIC image"
            ) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError(TOO_MANY_PIXELS) from None

    capture = read_capture(image, zone)
    image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow writes some of `info` (EXIF, XMP, ICC) back when saving: start from nothing.
    image.info = {}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    content = out.getvalue()
    return CheckedPhoto(
        content=content,
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=(original_name or "photo")[:255],
        capture=capture,
    )


def store(photo, upload_dir):
    """Write a checked photo under a random name; return that name."""
    folder = Path(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (folder / name).write_bytes(photo.content)
    return name


def path_of(stored_name, upload_dir):
    path = Path(upload_dir) / stored_name
    if path.parent != Path(upload_dir) or not path.is_file():
        return None
    return path
