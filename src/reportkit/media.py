"""Evidence photos and videos: which is which, and how they enter the report.

An activity's ``evidence`` is a file inside the campaign folder or a URL. A local photo
(:data:`PHOTO_SUFFIXES`) is printed in the report's appendix as a JPEG scaled to print size
(:func:`photo_for_print`); a local video (:data:`VIDEO_SUFFIXES`) is printed as a still frame
with its duration and file name, read from the video itself (:func:`video_summary`, with
PyAV, whose wheels carry FFmpeg: nothing is needed from the system). Other files are listed,
URLs are listed and never fetched.

Evidence comes from the units, that is from outside the department, so every file is looked
at before it is decoded (:func:`check_evidence`, run when a campaign is loaded) and decoding
is bounded: a photo of at most :data:`MAX_PHOTO_PIXELS` pixels and :data:`MAX_PHOTO_BYTES`
bytes, a video of at most :data:`MAX_VIDEO_PIXELS` pixels a frame, and at most
:data:`MAX_PACKETS` packets read to find its frame. Pillow and PyAV are imported when a file
is opened, not with this module.
"""

from __future__ import annotations

import base64
import io
import os
import re
import threading
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

import pandas as pd

from .exceptions import MediaError
from .i18n import _

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "PHOTO_SUFFIXES",
    "VIDEO_SUFFIXES",
    "VideoInfo",
    "check_evidence",
    "data_url",
    "duration_words",
    "evidence_kind",
    "evidence_kinds",
    "open_photo",
    "photo_for_print",
    "pictures_for_print",
    "video_summary",
]

#: File names that are photos: printed in the report, counted in ``photo_activities``.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
#: File names that are videos: printed as a still frame, counted in ``video_activities``.
VIDEO_SUFFIXES = (".mp4", ".mov")
#: What an activity's evidence is; see :func:`evidence_kind`.
EvidenceKind = Literal["photo", "video", "file", "link", "none"]

#: Width, in pixels, of a photo or video frame in the report. A photo is printed 47 % of the
#: 165 mm text width wide (77.6 mm, in the PDF and in Word), so 920 px is the 300 dpi print
#: needs there; its height follows (1227 px for a portrait photo), up to twice the width.
PRINT_WIDTH_PX = 920
PRINT_QUALITY = 85

MAX_PHOTO_BYTES = 50 * 2**20
#: The largest phone cameras make 108 megapixels; a JPEG is decoded at reduced scale.
MAX_PHOTO_PIXELS = 120_000_000
#: A video's frame is read from near its start, so the file's size matters little.
MAX_VIDEO_BYTES = 8 * 2**30
MAX_VIDEO_PIXELS = 7680 * 4320  # 8K UHD
#: Packets read after a seek to find a frame: 20 s at 30 frames a second past a key frame.
MAX_PACKETS = 600

#: ``warnings.catch_warnings`` changes the whole process's filters, and pictures are made in
#: threads (:func:`pictures_for_print`): photos are opened one at a time (headers only, fast).
_OPENING = threading.Lock()
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_PHOTO_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_VIDEO_DEMUXER = "mov,mp4"  # FFmpeg reads .mp4 and .mov with "mov,mp4,m4a,3gp,3g2,mj2"


def evidence_kind(evidence: str) -> EvidenceKind:
    """What an activity's ``evidence`` names, from its text alone.

    ``"photo"`` or ``"video"`` for a file whose name ends in one of :data:`PHOTO_SUFFIXES` or
    :data:`VIDEO_SUFFIXES` (any case), ``"file"`` for another file, ``"link"`` for a URL
    (never fetched, so never a photo or a video), ``"none"`` when empty.
    """
    evidence = evidence.strip()
    if not evidence:
        return "none"
    if _URL.match(evidence):
        return "link"
    suffix = PurePosixPath(evidence.replace("\\", "/")).suffix.lower()
    if suffix in PHOTO_SUFFIXES:
        return "photo"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    return "file"


def evidence_kinds(evidence: pd.Series) -> pd.Series:
    """:func:`evidence_kind` of every value; each distinct value is looked at once."""
    kinds = {value: evidence_kind(value) for value in evidence.unique()}
    return evidence.map(kinds)


@dataclass(frozen=True)
class VideoInfo:
    """A video as the report shows it: a still ``frame`` (JPEG bytes, scaled to print size),
    its ``duration`` in seconds and its picture's ``width`` × ``height`` as played."""

    frame: bytes
    duration: float
    width: int
    height: int


def duration_words(seconds: float) -> str:
    """A duration the Vietnamese way, to the second: ``'1 phút 05 giây'``, ``'12 giây'``."""
    total = max(1, round(seconds)) if seconds > 0 else 0
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes:02d} phút {secs:02d} giây"
    if minutes:
        return f"{minutes} phút {secs:02d} giây"
    return f"{secs} giây"


def data_url(jpeg: bytes) -> str:
    """A JPEG as a ``data:`` URL: documents carry their pictures inline, nothing is fetched."""
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")


def check_evidence(path: Path, *, decode: bool = False) -> EvidenceKind:
    """Look at an evidence file as the build will; its kind, or :class:`MediaError`.

    A photo must be a JPEG, PNG, GIF or WebP within the size limits, a video an MP4 or
    QuickTime file with a picture track, a known duration and at most 8K frames. Other files
    are not opened. Without ``decode`` only the file's header is read (a campaign is loaded
    quickly); with it the picture the report prints is made too, so a file that stops half
    way is refused where it enters (``reportkit collect``), not at every later build.
    """
    path = Path(path)
    kind = evidence_kind(path.name)
    if kind == "photo":
        if decode:
            photo_for_print(path)
        else:
            with _photo(path):
                pass
    elif kind == "video":
        if decode:
            video_summary(path)
        else:
            with _video(path):
                pass
    return kind


@contextmanager
def open_photo(path: Path) -> Iterator[Image.Image]:
    """A photo opened after the checks of :func:`check_evidence` (kind, bytes, pixels), for a
    module that scales it its own way; an error while decoding it in the block is a
    :class:`MediaError`. No module opens evidence with Pillow but through this."""
    path = Path(path)
    with _photo(path) as image, _decoding(path, _("a photo that can be read to its end")):
        yield image


def photo_for_print(path: Path, width: int = PRINT_WIDTH_PX, quality: int = PRINT_QUALITY) -> bytes:
    """A photo as the report prints it: a JPEG at most ``width`` pixels wide and twice that
    high, never enlarged.

    Turned upright as its EXIF orientation says, transparency laid on white, metadata
    (EXIF, GPS position) left out. A JPEG is decoded at the smallest scale that still gives
    the size asked for, so a 12-megapixel photo costs a few tens of milliseconds.
    """
    from PIL import ImageOps

    path = Path(path)
    with _photo(path) as image, _decoding(path, _("a photo that can be read to its end")):
        if image.format == "JPEG":
            # The box in the file's own orientation: a portrait photo is often stored lying down.
            lying = _lying(image)
            box = _fit(image.size[::-1] if lying else image.size, width)
            image.draft("RGB", box[::-1] if lying else box)
        upright = _flatten(ImageOps.exif_transpose(image))
    return _jpeg(_scaled(upright, width), quality)


def video_summary(path: Path, width: int = PRINT_WIDTH_PX, quality: int = PRINT_QUALITY) -> VideoInfo:
    """A still frame of a video, its duration and its size, read from the video itself.

    The frame is the one at 1 s, or at a tenth of a shorter video, so not the black first
    frame many phones record; if that one is nearly black too, the frames at a quarter and at
    half of the video are tried. It is turned as the video plays (phones record portrait
    videos lying down and say so in the file), scaled as :func:`photo_for_print` scales a
    photo and marked with a play sign, so the page shows it is a video.
    """
    path = Path(path)
    with _video(path) as (container, stream, duration):
        image = None
        for seconds in (min(1.0, duration / 10), duration / 4, duration / 2):
            image = _frame_at(path, container, stream, seconds) or image
            if image is not None and not _blank(image):
                break
    if image is None:
        raise MediaError(path, _("a video with at least one picture that can be decoded"))
    return VideoInfo(_jpeg(_play_sign(_scaled(image, width)), quality), duration, *image.size)


def pictures_for_print(paths: Sequence[Path]) -> list[tuple[bytes, VideoInfo | None]]:
    """For each photo or video of ``paths``: the JPEG the report prints and, for a video, its
    :class:`VideoInfo` (``None`` for a photo). Decoding runs on every core, in threads:
    Pillow and FFmpeg let go of Python's lock while they work."""

    def picture(path: Path) -> tuple[bytes, VideoInfo | None]:
        if evidence_kind(Path(path).name) == "video":
            video = video_summary(path)
            return video.frame, video
        return photo_for_print(path), None

    if len(paths) < 2:
        return [picture(path) for path in paths]
    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1)) as pool:
        return list(pool.map(picture, paths))


@contextmanager
def _decoding(path: Path, expected: str) -> Iterator[None]:
    """Pillow's errors while decoding ``path`` as a :class:`MediaError` saying ``expected``."""
    from PIL import Image

    try:
        yield
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise MediaError(path, expected, found=str(error) or type(error).__name__) from None


def _check_bytes(path: Path, limit: int, what: str) -> None:
    size = path.stat().st_size
    if size > limit:
        raise MediaError(
            path,
            _("{what} of at most {limit} MB").format(what=what, limit=limit // 2**20),
            found=_("{size} MB").format(size=size // 2**20),
        )


@contextmanager
def _photo(path: Path) -> Iterator[Image.Image]:
    """The photo at ``path`` opened (its header read, nothing decoded) and checked."""
    from PIL import Image

    _check_bytes(path, MAX_PHOTO_BYTES, _("a photo"))
    too_large = _("a photo of at most {limit} megapixels").format(limit=MAX_PHOTO_PIXELS // 10**6)
    with _decoding(path, _("a photo: JPEG, PNG, GIF or WebP")), _OPENING, warnings.catch_warnings():
        # Pillow warns above 89 megapixels; MAX_PHOTO_PIXELS is checked below instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(path, formats=_PHOTO_FORMATS)
        except Image.DecompressionBombError as error:  # Pillow's own limit, above ours
            raise MediaError(path, too_large, found=str(error)) from None
    with image:
        width, height = image.size
        if width * height > MAX_PHOTO_PIXELS:
            raise MediaError(path, too_large, found=f"{width} × {height}")
        yield image


def _fit(size: tuple[int, int], width: int) -> tuple[int, int]:
    """``size`` scaled down to at most ``width`` wide and ``2 × width`` high, never up."""
    scale = min(1.0, width / size[0], 2 * width / size[1])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _lying(image: Image.Image) -> bool:
    """The photo's EXIF orientation turns it a quarter (orientations 5 to 8)."""
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)


def _scaled(image: Image.Image, width: int) -> Image.Image:
    from PIL import Image

    size = _fit(image.size, width)
    return image if size == image.size else image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for a JPEG; what was transparent becomes white paper, not black."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, "white")
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)  # 5 % smaller
    return buffer.getvalue()


@contextmanager
def _video(path: Path) -> Iterator[tuple]:
    """``(container, stream, duration)`` of the video at ``path``, checked, nothing decoded."""
    import av

    _check_bytes(path, MAX_VIDEO_BYTES, _("a video"))
    expected = _("a video: MP4 or QuickTime (.mov)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError) as error:
        raise MediaError(path, expected, found=_ffmpeg_says(error)) from None
    with container:
        if not container.format.name.startswith(_VIDEO_DEMUXER):
            raise MediaError(path, expected, found=container.format.long_name)
        if not container.streams.video:
            raise MediaError(path, _("a video with a picture track"), found=_("sound only"))
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height or width * height > MAX_VIDEO_PIXELS:
            raise MediaError(path, _("a video of at most 7680 × 4320 pixels"), found=f"{width} × {height}")
        duration = _duration(container, stream)
        if not duration or duration <= 0:
            raise MediaError(path, _("a video that says how long it is"))
        yield container, stream, duration


def _ffmpeg_says(error: Exception) -> str:
    """FFmpeg's reason, without its error number and the file's path said again."""
    return getattr(error, "strerror", None) or str(error)


def _duration(container, stream) -> float | None:
    import av

    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if stream.frames and stream.average_rate:
        return stream.frames / float(stream.average_rate)
    return None


def _frame_at(path: Path, container, stream, seconds: float) -> Image.Image | None:
    """The first picture at or after ``seconds`` (the last one if the video ends first), as
    it plays; ``None`` if none could be decoded within :data:`MAX_PACKETS` packets."""
    import av

    try:
        if stream.time_base:
            container.seek(int(seconds / stream.time_base), stream=stream)  # to the key frame before
        else:
            container.seek(int(seconds * av.time_base))
    except av.FFmpegError:
        pass  # not seekable: read on from where the last look stopped
    found = None
    try:
        for count, packet in enumerate(container.demux(stream)):
            for frame in packet.decode():
                found = frame
                if frame.time is None or frame.time >= seconds - 1e-3:
                    return _upright(frame)
            if count >= MAX_PACKETS:
                break
    except av.FFmpegError as error:
        if found is None:
            expected = _("a video whose pictures can be decoded")
            raise MediaError(path, expected, found=_ffmpeg_says(error)) from None
    return _upright(found) if found is not None else None


def _upright(frame) -> Image.Image:
    """A decoded frame as a Pillow image, turned as the video's display matrix says."""
    image = frame.to_image()
    return image.rotate(frame.rotation, expand=True) if frame.rotation else image


def _blank(image: Image.Image) -> bool:
    """Nearly black, or one flat colour: a fade-in, a covered lens."""
    from PIL import ImageStat

    small = image.convert("L").resize((64, 64))
    stat = ImageStat.Stat(small)
    return stat.mean[0] < 16 or stat.stddev[0] < 4


def _play_sign(image: Image.Image) -> Image.Image:
    """The frame with a round play sign in its middle, as video players show a still."""
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    cx, cy = image.width / 2, image.height / 2
    r = min(image.size) * 0.12
    white = (255, 255, 255, 230)
    ring = max(1, round(r / 10))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(0, 0, 0, 110), outline=white, width=ring)
    t = r * 0.5
    draw.polygon([(cx - t * 0.6, cy - t), (cx - t * 0.6, cy + t), (cx + t, cy)], fill=white)
    return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
