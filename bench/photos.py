"""A report with 50 twelve-megapixel phone photos: the size of its PDF and the time to build it.

    .venv/bin/python bench/photos.py [--photos 50] [--keep DIR]

The sample campaign is copied into a temporary folder and given that many more activities,
each with its own photo: 4000 × 3000 JPEGs at quality 92, about 4.5 MB each as phones make
them, with detail at every scale and sensor noise (so they compress as badly as real ones,
not as a smooth test card); every third is stored lying down with EXIF orientation 6, as a
phone stores a portrait photo. Then ``reportkit build --doc report --to pdf`` (timed, and
the sample without the photos built the same way for comparison), ``--to docx`` for the Word
copy's size, and the CPU time :func:`reportkit.media.pictures_for_print` takes per photo.
Target (issue 11): the PDF under 10 MB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import SAMPLE, reportkit, timed
from PIL import Image

from reportkit import media

WIDTH, HEIGHT = 4000, 3000
TARGET_MB = 10


def phone_photo(seed: int) -> bytes:
    """A 12-megapixel JPEG that compresses like a phone's: detail from the whole frame down
    to a few pixels (each finer layer weaker, as in real scenes), plus sensor noise."""
    rng = np.random.default_rng(seed)
    small = (WIDTH // 4, HEIGHT // 4)  # the scene is drawn at a quarter and enlarged: 4 px detail
    scene = np.zeros((small[1], small[0], 3), np.float32)
    for cells, strength in ((4, 70), (16, 40), (64, 25), (256, 16), (1000, 10)):
        coarse = rng.integers(0, 256, (max(2, cells * HEIGHT // WIDTH), cells, 3), dtype=np.uint8)
        layer = np.asarray(Image.fromarray(coarse).resize(small, Image.Resampling.BICUBIC), np.float32)
        scene += strength / 74 * (layer - 128)
    scene = Image.fromarray(np.clip(scene + 128, 0, 255).astype(np.uint8))
    picture = np.asarray(scene.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC), np.int16)
    noise = rng.integers(-9, 10, (HEIGHT, WIDTH, 1), dtype=np.int16)  # sensor noise, mostly luma
    noise = noise + rng.integers(-4, 5, (HEIGHT, WIDTH, 3), dtype=np.int16)
    image = Image.fromarray(np.clip(picture + noise, 0, 255).astype(np.uint8))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Bench", "Phone"  # Make, Model
    if seed % 3 == 0:
        exif[0x0112] = 6  # stored lying down: shown turned a quarter clockwise
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def campaign_with_photos(folder: Path, photos: int) -> int:
    """Copy the sample into ``folder`` and add ``photos`` activities with a photo each; the
    photos' total size in bytes."""
    shutil.copytree(SAMPLE, folder)
    evidence = folder / "evidence" / "bench"
    evidence.mkdir()
    activities = folder / "activities.csv"
    with activities.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    template = rows[0]
    total = 0
    for i in range(photos):
        data = phone_photo(i)
        total += len(data)
        (evidence / f"anh-{i + 1:02d}.jpg").write_bytes(data)
        rows.append(
            template
            | {
                "activity_id": f"ANH{i + 1:02d}",
                "date": f"2021-05-{10 + i % 20:02d}",
                "evidence": f"evidence/bench/anh-{i + 1:02d}.jpg",
                "note": "Ảnh chụp bằng điện thoại (benchmark)",
            }
        )
    with activities.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(template))
        writer.writeheader()
        writer.writerows(rows)
    return total


def pdf_images(path: Path) -> list[tuple[int, int, str]]:
    """(width, height, filter) of every image XObject of the PDF, once each."""
    from pypdf import PdfReader

    found = {}
    for page in PdfReader(path).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found[ref.idnum] = (int(obj["/Width"]), int(obj["/Height"]), str(obj.get("/Filter")))
    return list(found.values())


def main(photos: int = 50, keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(keep) if keep else Path(tmp)
        campaign = tmp / SAMPLE.name
        started = time.perf_counter()
        originals = campaign_with_photos(campaign, photos)
        made = time.perf_counter() - started
        pdf_s = timed(
            reportkit("build", str(campaign), "--doc", "report", "--to", "pdf", "--out", str(tmp / "pdf"))
        )
        sample_s = timed(  # the same build without the photos, for what they cost
            reportkit("build", str(SAMPLE), "--doc", "report", "--to", "pdf", "--out", str(tmp / "sample"))
        )
        cpu = time.process_time()
        media.pictures_for_print(sorted((campaign / "evidence" / "bench").iterdir()))
        scaling_cpu_s = time.process_time() - cpu
        pdf = tmp / "pdf" / SAMPLE.name / "report.pdf"
        docx_s = timed(
            reportkit("build", str(campaign), "--doc", "report", "--to", "docx", "--out", str(tmp / "docx"))
        )
        docx = tmp / "docx" / SAMPLE.name / "report.docx"
        images = pdf_images(pdf)
        big = [(w, h) for w, h, _ in images if max(w, h) >= 500]  # the photos; charts are SVG
        result = {
            "photos": photos,
            "original_photos_mb": round(originals / 2**20, 1),
            "original_photo_mean_mb": round(originals / photos / 2**20, 2),
            "photos_made_s": round(made, 1),
            "report_pdf_mb": round(pdf.stat().st_size / 2**20, 2),
            "report_pdf_build_s": round(pdf_s, 1),
            "sample_report_pdf_build_s": round(sample_s, 1),
            "scaling_cpu_s_per_photo": round(scaling_cpu_s / photos, 3),
            "pdf_photo_images": len(big),
            "pdf_photo_sizes_px": sorted({f"{w}x{h}" for w, h in big}),
            "report_docx_mb": round(docx.stat().st_size / 2**20, 2),
            "report_docx_build_s": round(docx_s, 1),
            "target_pdf_mb": TARGET_MB,
            "met": pdf.stat().st_size < TARGET_MB * 2**20,
        }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it, to look at the PDF")
    args = parser.parse_args()
    main(args.photos, args.keep)
