"""Evidence photos and videos: what counts as which, print-size photos, a video's still frame,
files refused, and a report whose appendix shows a video as a frame with its name and length."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageStat

from reportkit import media
from reportkit.campaign import load_campaign
from reportkit.exceptions import DataError, MediaError

from .conftest import RESULTS, build_campaign, pdf_text

SKY, RED = (40, 90, 160), (230, 30, 30)


def make_video(
    path: Path,
    *,
    seconds: float = 3.0,
    fps: int = 10,
    size: tuple[int, int] = (320, 240),
    codec: str = "mpeg4",
    black_until: float = 0.0,
    rotation: int = 0,
) -> Path:
    """A real video encoded with PyAV: black up to ``black_until``, then sky with a red top-left
    corner (to tell which way the frame is turned) and a white square moving across."""
    import av

    width, height = size
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if rotation:
            stream.set_display_rotation(rotation)
        for i in range(round(seconds * fps)):
            picture = np.zeros((height, width, 3), np.uint8)
            if i / fps >= black_until:
                picture[:] = SKY
                picture[: height // 4, : width // 4] = RED
                x = (i * 7) % (width - 40)
                picture[height // 2 : height // 2 + 40, x : x + 40] = 255
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def make_photo(path: Path, size: tuple[int, int], mode: str = "RGB", orientation: int | None = None, **save):
    """A photo with a red top-left quarter on sky, saved by its suffix (EXIF orientation if given)."""
    width, height = size
    picture = Image.new("RGB", size, SKY)
    picture.paste(RED, (0, 0, width // 4, height // 4))
    picture = picture.convert(mode) if mode != "RGB" else picture
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        save["exif"] = exif
    picture.save(path, **save)
    return path


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def red_corner(image: Image.Image) -> tuple[str, str]:
    """Which corner of ``image`` the red quarter is in: ('top'|'bottom', 'left'|'right')."""
    pixels = np.asarray(image.convert("RGB")).astype(int)
    red = (pixels[..., 0] > 180) & (pixels[..., 1] < 90)
    rows, columns = np.nonzero(red)
    return (
        "top" if rows.mean() < image.height / 2 else "bottom",
        "left" if columns.mean() < image.width / 2 else "right",
    )


# --- what counts as a photo and as a video ---------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "kind"),
    [
        ("evidence/bang-ron.jpg", "photo"),
        ("evidence/BANG-RON.JPG", "photo"),
        ("evidence/a.jpeg", "photo"),
        ("evidence/trang-tin.png", "photo"),
        ("evidence/a.gif", "photo"),
        ("evidence/a.webp", "photo"),
        ("evidence/so-vp/clip.mp4", "video"),
        ("evidence/IMG_0001.MOV", "video"),
        ("evidence\\windows\\clip.mp4", "video"),
        ("evidence/bao-cao.pdf", "file"),
        ("evidence/anh.heic", "file"),
        ("evidence/clip.mp4.txt", "file"),
        ("evidence/no-suffix", "file"),
        ("https://example.invalid/clip.mp4", "link"),
        ("HTTPS://example.invalid/photo.jpg", "link"),
        ("ftp://example.invalid/photo.jpg", "link"),
        ("", "none"),
        ("   ", "none"),
    ],
)
def test_what_evidence_is_told_by_its_name(evidence, kind):
    assert media.evidence_kind(evidence) == kind


def test_kinds_of_a_whole_column():
    column = pd.Series(["a.jpg", "", "b.mov", "a.jpg", "https://x.invalid/c.mp4"])
    assert media.evidence_kinds(column).tolist() == ["photo", "none", "video", "photo", "link"]


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 giây"),
        (0.3, "1 giây"),
        (2.96, "3 giây"),
        (59.4, "59 giây"),
        (59.6, "1 phút 00 giây"),
        (65, "1 phút 05 giây"),
        (3723, "1 giờ 02 phút 03 giây"),
    ],
)
def test_a_duration_in_words(seconds, words):
    assert media.duration_words(seconds) == words


# --- photos at print size ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "size", "save", "orientation", "printed"),
    [
        ("landscape.jpg", (4000, 3000), {"quality": 92}, None, (920, 690)),
        ("portrait.jpg", (3000, 4000), {"quality": 92}, None, (920, 1227)),
        ("lying.jpg", (4000, 3000), {"quality": 92}, 6, (920, 1227)),  # a phone's portrait photo
        ("upside-down.jpg", (4000, 3000), {"quality": 92}, 3, (920, 690)),
        ("wide.png", (6000, 1000), {}, None, (920, 153)),
        ("tall.png", (1000, 5000), {}, None, (368, 1840)),  # at most twice as high as wide
        ("small.png", (480, 320), {}, None, (480, 320)),  # never enlarged
        ("small.gif", (300, 200), {}, None, (300, 200)),
        ("small.webp", (1200, 900), {}, None, (920, 690)),
    ],
)
def test_photos_are_scaled_to_print_size_and_turned_upright(tmp_path, name, size, save, orientation, printed):
    path = make_photo(tmp_path / name, size, orientation=orientation, **save)
    image = decoded(media.photo_for_print(path))
    assert image.size == printed
    # EXIF 6 turns the stored picture a quarter clockwise, 3 half a turn: where the red is
    expected = {None: ("top", "left"), 6: ("top", "right"), 3: ("bottom", "right")}[orientation]
    assert red_corner(image) == expected


def test_transparency_becomes_white_paper(tmp_path):
    path = tmp_path / "logo.png"
    picture = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent black
    picture.paste((200, 0, 0, 255), (0, 0, 50, 50))
    picture.save(path)
    image = decoded(media.photo_for_print(path)).convert("RGB")
    assert min(image.getpixel((150, 80))) > 245  # white, not black
    assert image.getpixel((10, 10))[0] > 180


def test_a_printed_photo_keeps_no_metadata(tmp_path):
    path = tmp_path / "gps.jpg"
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (13.0, 5.0, 0.0)}  # GPS: where the photo was taken
    Image.new("RGB", (2000, 1500), SKY).save(path, exif=exif, quality=90)
    printed = media.photo_for_print(path)
    assert not decoded(printed).getexif() and b"PhoneMaker" not in printed


def test_a_noisy_phone_photo_prints_in_a_fiftieth_of_ten_megabytes(tmp_path):
    # Detail from the whole frame down to a few pixels, finer layers weaker, and sensor noise:
    # it compresses as a phone's photo does (bench/photos.py makes 50 of these).
    rng = np.random.default_rng(7)
    picture = np.full((3000, 4000, 3), 128.0, np.float32)
    for cells, strength in ((4, 70), (16, 40), (64, 25), (256, 16), (1000, 10)):
        layer = Image.fromarray(rng.integers(0, 256, (max(2, cells * 3 // 4), cells, 3), dtype=np.uint8))
        picture += strength / 74 * (np.asarray(layer.resize((4000, 3000)), np.float32) - 128)
    picture += rng.normal(0, 6, (3000, 4000, 1)).astype(np.float32)
    path = tmp_path / "phone.jpg"
    Image.fromarray(np.clip(picture, 0, 255).astype(np.uint8)).save(path, quality=92)
    assert path.stat().st_size > 3 * 2**20  # as large as a phone makes
    assert len(media.photo_for_print(path)) < 10 * 2**20 / 50


# --- a video's still frame -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codec", "size", "rotation", "shown", "corner"),
    [
        ("clip.mp4", "libx264", (320, 240), 0, (320, 240), ("top", "left")),
        ("clip.mov", "mpeg4", (320, 240), 0, (320, 240), ("top", "left")),
        ("big.mp4", "mpeg4", (1920, 1080), 0, (920, 518), ("top", "left")),
        # a phone's portrait video: stored lying down, to be turned a quarter clockwise
        ("portrait.mp4", "mpeg4", (320, 240), -90, (240, 320), ("top", "right")),
    ],
)
def test_a_video_gives_a_still_frame_its_duration_and_size(
    tmp_path, name, codec, size, rotation, shown, corner
):
    path = make_video(tmp_path / name, codec=codec, size=size, rotation=rotation, black_until=0.1)
    info = media.video_summary(path)
    assert info.duration == pytest.approx(3.0, abs=0.15)
    assert (info.width, info.height) == (size[::-1] if rotation else size)
    frame = decoded(info.frame)
    assert frame.size == shown
    assert red_corner(frame) == corner
    assert ImageStat.Stat(frame.convert("L")).mean[0] > 40  # not the black first frame


def test_a_video_that_starts_black_shows_a_frame_further_in(tmp_path):
    path = make_video(tmp_path / "fade.mp4", seconds=10, black_until=2.0)  # black at 1 s
    frame = decoded(media.video_summary(path).frame)
    assert ImageStat.Stat(frame.convert("L")).mean[0] > 40


def test_pictures_for_print_keeps_the_order_of_mixed_photos_and_videos(tmp_path):
    paths = [
        make_photo(tmp_path / "a.jpg", (2000, 1500)),
        make_video(tmp_path / "b.mp4"),
        make_photo(tmp_path / "c.png", (300, 200)),
        make_video(tmp_path / "d.mov", seconds=5),
    ]
    pictures = media.pictures_for_print(paths)
    assert [decoded(jpeg).size for jpeg, _ in pictures] == [(920, 690), (320, 240), (300, 200), (320, 240)]
    assert [round(video.duration) if video else None for _, video in pictures] == [None, 3, None, 5]


# --- files refused -------------------------------------------------------------------


def png_claiming(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header says it is ``width`` × ``height`` (a decompression bomb's trick)."""
    make_photo(path, (8, 8))
    data = bytearray(path.read_bytes())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    path.write_bytes(bytes(data))
    return path


def audio_only(path: Path) -> Path:
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 8000
        for i in range(10):
            frame.pts = i * 1024
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("notes.jpg", lambda p: p.write_text("not a photo"), "a photo: JPEG, PNG, GIF or WebP"),
        ("huge.png", lambda p: png_claiming(p, 12_000, 11_000), "a photo of at most 120 megapixels"),
        ("bomb.png", lambda p: png_claiming(p, 30_000, 30_000), "a photo of at most 120 megapixels"),
        ("cut.jpg", lambda p: p.write_bytes(make_photo(p, (800, 600)).read_bytes()[:2000]), "to its end"),
        ("notes.mp4", lambda p: p.write_text("not a video"), "a video: MP4 or QuickTime (.mov)"),
        ("photo.mov", lambda p: make_photo(p, (64, 48), format="JPEG"), "a video: MP4 or QuickTime"),
        ("song.mp4", audio_only, "a video with a picture track"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path, name, make, expected):
    path = tmp_path / name
    make(path)
    use = media.photo_for_print if media.evidence_kind(name) == "photo" else media.video_summary
    with pytest.raises(MediaError) as caught:
        use(path)
    assert caught.value.path == path and expected in caught.value.expected
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("name", "limit", "value", "expected"),
    [
        ("big.jpg", "MAX_PHOTO_BYTES", 1000, "a photo of at most"),
        ("big.mp4", "MAX_VIDEO_BYTES", 1000, "a video of at most"),
        ("wide.mp4", "MAX_VIDEO_PIXELS", 320 * 200, "a video of at most 7680 × 4320 pixels"),
    ],
)
def test_a_file_too_large_is_refused_before_it_is_decoded(
    tmp_path, monkeypatch, name, limit, value, expected
):
    path = tmp_path / name
    if name.endswith(".jpg"):
        make_photo(path, (800, 600), quality=95)
    else:
        make_video(path)
    monkeypatch.setattr(media, limit, value)
    with pytest.raises(MediaError, match=expected):
        media.check_evidence(path)


# --- the campaign takes photos and videos as evidence ----------------------------------

HEADER = "activity_id,unit_id,date,channel,quantity,reach,cost_vnd,budget_line_id,evidence,note\n"


def campaign_with_evidence(tmp_path: Path, **files) -> Path:
    """The results campaign with these evidence files, made by the callables given, one
    activity each (rows 2, 3, …)."""
    folder = tmp_path / "campaign"
    shutil.copytree(RESULTS, folder)
    rows = []
    for i, (name, make) in enumerate(files.items(), start=1):
        make(folder / "evidence" / name)
        rows.append(f"V{i},so,2022-05-17,radio,1,,,,evidence/{name},\n")
    (folder / "activities.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    return folder


def test_videos_mp4_and_mov_are_evidence_a_campaign_loads(tmp_path):
    small_photo = lambda p: make_photo(p, (64, 48))  # noqa: E731
    folder = campaign_with_evidence(
        tmp_path, **{"clip.mp4": make_video, "IMG_0001.MOV": make_video, "photo.JPG": small_photo}
    )
    campaign = load_campaign(folder)
    assert media.evidence_kinds(campaign.activities["evidence"]).tolist() == ["video", "video", "photo"]


def test_a_fake_video_is_named_by_file_row_and_column_when_the_campaign_loads(tmp_path):
    folder = campaign_with_evidence(
        tmp_path, **{"ok.mp4": make_video, "fake.mp4": lambda p: p.write_text("<html>")}
    )
    with pytest.raises(DataError) as caught:
        load_campaign(folder)
    error = caught.value
    assert (error.file, error.row, error.column) == (folder / "activities.csv", 3, "evidence")
    assert "a video: MP4 or QuickTime (.mov)" in str(error) and "evidence/fake.mp4" in str(error)
    assert len(error.problems) == 1


def test_reportkit_validate_names_a_fake_video_in_one_message(tmp_path):
    folder = campaign_with_evidence(
        tmp_path, **{"clip.mp4": make_video, "clip.mov": lambda p: p.write_bytes(b"\x00" * 4096)}
    )
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "validate", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    where = f"{folder / 'activities.csv'}, row 3, column 'evidence'"
    assert f"{where}: a video: MP4 or QuickTime" in result.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


# --- the report shows them ----------------------------------------------------------


def pdf_jpegs(path: Path) -> list[tuple[int, int]]:
    """(width, height) of every JPEG image the PDF holds."""
    from pypdf import PdfReader

    found = {}
    for page in PdfReader(path).pages:
        for ref in page["/Resources"].get("/XObject", {}).values():
            image = ref.get_object()
            if image.get("/Subtype") == "/Image" and image.get("/Filter") == "/DCTDecode":
                found[ref.idnum] = (int(image["/Width"]), int(image["/Height"]))
    return sorted(found.values())


@pytest.fixture(scope="module")
def media_build(tmp_path_factory):
    """The results campaign with a large photo, an .mp4 and a .mov, built to PDF and Word."""
    tmp = tmp_path_factory.mktemp("media")
    folder = tmp / "results"
    shutil.copytree(RESULTS, folder)
    make_photo(folder / "evidence" / "pano.jpg", (3000, 2000), quality=90)
    make_video(folder / "evidence" / "loa-phat-thanh.mp4", codec="libx264", size=(640, 360), black_until=0.1)
    make_video(folder / "evidence" / "IMG_0420.MOV", seconds=65, fps=2, size=(480, 360), rotation=-90)
    activities = (
        (folder / "activities.csv")
        .read_text(encoding="utf-8")
        .replace(
            "H3,a-office,17/5/2022,loudspeaker,12,3.400,,,,",
            "H3,a-office,17/5/2022,loudspeaker,12,3.400,,,evidence/loa-phat-thanh.mp4,",
        )
    )
    activities += (
        "H6,so,2022-05-18,pano,1,,,,evidence/pano.jpg,\n"
        "H7,dn,2022-05-19,social_media,1,300,,,evidence/IMG_0420.MOV,\n"
    )
    (folder / "activities.csv").write_text(activities, encoding="utf-8")
    out = build_campaign(folder, tmp / "outputs", "--doc", "report", "--to", "pdf,docx")
    return out, json.loads((out / "figures.json").read_text(encoding="utf-8"))["report"]


@pytest.mark.kernel
def test_the_report_counts_activities_with_photos_and_with_videos_apart(media_build):
    _, figures = media_build
    # banner.png and pano.jpg; the .mp4 and the .MOV; the URL H5 is evidence but neither
    assert (figures["photo_activities"], figures["video_activities"]) == (2, 2)
    assert figures["evidence_pct"] == 71.4  # 5 of 7


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_video_shows_in_the_pdf_as_a_frame_with_its_name_and_duration(media_build):
    out, _ = media_build
    pdf = out / "report.pdf"
    # banner.png 60×40 and pano.jpg at print size; the two frames, the portrait one upright
    assert pdf_jpegs(pdf) == sorted([(60, 40), (920, 613), (640, 360), (360, 480)])
    text = pdf_text(pdf)
    assert "trong đó 2 hoạt động có hình ảnh, 2 hoạt động có video (Phụ lục kèm theo)" in text
    assert "HÌNH ẢNH, VIDEO MINH CHỨNG" in text
    assert "Video loa-phat-thanh.mp4, thời lượng 3 giây" in text
    assert "Video IMG_0420.MOV, thời lượng 1 phút 05 giây" in text
    assert pdf.stat().st_size < 1.5 * 2**20


@pytest.mark.kernel
def test_the_word_copy_shows_the_frames_too(media_build):
    out, _ = media_build
    with zipfile.ZipFile(out / "report.docx") as docx:
        pictures = [
            Image.open(io.BytesIO(docx.read(name))).size
            for name in docx.namelist()
            if name.startswith("word/media/") and name.endswith((".jpg", ".jpeg"))
        ]
        body = docx.read("word/document.xml").decode("utf-8")
    assert sorted(pictures) == sorted([(60, 40), (920, 613), (640, 360), (360, 480)])
    assert "loa-phat-thanh.mp4, thời lượng 3 giây" in body
