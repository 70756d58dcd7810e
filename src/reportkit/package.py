"""The package sent to the ministry: the report, its evidence, an index and a manifest, in a zip.

The ministry asks for the results "with text, images and video" by email (seed 001). The zip
holds the report's PDF (the signed copy when there is one) and its Word file, every local
evidence photo scaled for mail, the videos while they fit under the size limit (the others are
listed with their sizes and SHA-256, to be sent another way), ``index.csv`` tying each file to
its activity, and ``manifest.json`` with every file's size and hash.

The same inputs give the same zip, byte for byte: entries in a fixed order, one fixed
timestamp, fixed permissions, and photos re-encoded without their metadata.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from . import fsio, locking
from .exceptions import ReportkitError
from .i18n import _
from .media import evidence_kind, open_photo
from .text import csv_text
from .vn import message_number

__all__ = ["MAIL_EDGE", "Package", "PackageError", "Packed", "make_package", "photo_for_mail"]

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm", ".3gp", ".mpg", ".mpeg"})
#: Photos are scaled so that their long edge is at most this many pixels: sharp on a screen,
#: a few hundred kilobytes each.
MAIL_EDGE = 1600
_JPEG_QUALITY = 82
#: Every entry's timestamp: the earliest a zip can say, so that it never depends on the clock.
_EPOCH = (1980, 1, 1, 0, 0, 0)
MB = 1_000_000


class PackageError(ReportkitError):
    """The package cannot be made; ``needed_mb`` and ``limit_mb`` are set when it is too big."""

    def __init__(self, message: str, needed_mb: float | None = None, limit_mb: float | None = None):
        self.needed_mb, self.limit_mb = needed_mb, limit_mb
        super().__init__(message)


@dataclass(frozen=True)
class Packed:
    """One file of the package: where it is in the zip, what it is, and its activity."""

    name: str
    kind: str  # document, photo, video, file, listed (too big: listed only), link
    data: bytes | None = field(repr=False, default=None)
    activity: dict[str, str] = field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    source: str = ""


@dataclass(frozen=True)
class Package:
    """What :func:`make_package` wrote."""

    path: Path
    size: int
    files: tuple[Packed, ...]

    @property
    def entries(self) -> int:
        """How many files the zip holds: the included ones, index.csv and manifest.json."""
        return sum(f.data is not None for f in self.files) + 2

    @property
    def listed_videos(self) -> tuple[Packed, ...]:
        return tuple(f for f in self.files if f.kind == "listed")


def photo_for_mail(path: Path, edge: int = MAIL_EDGE) -> bytes:
    """``path`` as a JPEG whose long edge is at most ``edge`` pixels, turned upright as its EXIF
    says, transparency flattened on white, and with no metadata (no GPS, no camera)."""
    from PIL import Image, ImageOps

    # Only what media.py counts as a photo, checked there (kind, size, pixels) before decoding.
    with open_photo(path) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image = image.convert("RGB")
        image.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=_JPEG_QUALITY, optimize=True)
        return out.getvalue()


def make_package(
    campaign: str | Path,
    *,
    built: str | Path = "outputs",
    out: str | Path | None = None,
    max_mb: float | None = None,
) -> Package:
    """Make the zip to send for ``campaign``, from the report that ``reportkit build`` wrote
    into ``<built>/<campaign id>/``.

    Parameters
    ----------
    campaign
        The campaign folder (its activities and evidence).
    built
        The folder ``reportkit build --out`` wrote into.
    out
        The zip; default ``<built>/<campaign id>/<campaign id>.zip``.
    max_mb
        The mail's size limit in MB (10⁶ bytes). Videos that would pass it are listed instead;
        when the documents and photos alone pass it, :class:`PackageError` says by how much.
    """
    from .campaign import load_campaign

    # the campaign and the built documents are each read as one state: no collect or build
    # changes them meanwhile (reportkit.locking: campaign first, then outputs). A zip written
    # elsewhere is not locked (it is written atomically; its folder is the user's).
    with locking.reading(campaign):
        loaded = load_campaign(campaign)
        if not loaded.has_results:
            raise PackageError(
                _("{folder}: the campaign has no report yet (no report section or activities)").format(
                    folder=campaign
                )
            )
        documents_dir = Path(built) / loaded.id
        out = Path(out) if out else documents_dir / f"{loaded.id}.zip"
        with locking.writing(documents_dir, output=True):
            return _package(loaded, documents_dir, out, max_mb)


def _package(loaded, documents_dir: Path, out: Path, max_mb: float | None) -> Package:
    must = _documents(documents_dir, loaded.folder)
    evidence = _evidence(loaded)
    photos = [p for p in evidence if p.kind == "photo"]
    videos = [p for p in evidence if p.kind in ("video", "file")]
    links = [p for p in evidence if p.kind == "link"]
    limit = None if max_mb is None else int(max_mb * MB)

    if limit is not None:
        documents_only = len(_zip_bytes(must, []))
        if documents_only > limit:
            raise PackageError(
                _(
                    "the report's documents alone make {needed} MB, more than the limit of "
                    "{limit} MB; raise --max-mb, or send the documents another way"
                ).format(needed=message_number(documents_only / MB), limit=message_number(max_mb, None)),
                needed_mb=documents_only / MB,
                limit_mb=max_mb,
            )
    included = [*must, *photos]
    if limit is not None and len(_zip_bytes(included, links)) > limit:
        needed = len(_zip_bytes(included, links)) / MB
        raise PackageError(
            _(
                "the documents and the evidence photos (scaled for mail) make {needed} MB, more "
                "than the limit of {limit} MB; raise --max-mb"
            ).format(needed=message_number(needed), limit=message_number(max_mb, None)),
            needed_mb=needed,
            limit_mb=max_mb,
        )
    listed = []
    for video in videos:
        trial = _zip_bytes([*included, video], [*links, *listed])
        if limit is None or len(trial) <= limit:
            included.append(video)
        else:
            listed.append(_as_listed(video))
    data = _zip_bytes(included, [*links, *listed])
    fsio.write_bytes(out, data)  # the old zip stays until the new one is whole
    return Package(out, len(data), tuple([*included, *links, *listed]))


def _documents(folder: Path, campaign_folder: Path) -> list[Packed]:
    """The report's PDF (its signed copy when there is one) and Word file, as the last build of
    the report made them from the campaign as it is now (:mod:`reportkit.outputs`)."""
    from .outputs import check_fresh, check_signable, current

    signed, plain, word = (folder / n for n in ("report.signed.pdf", "report.pdf", "report.docx"))
    built = current(folder, "report")
    missing = [p.name for p in (plain, word) if p not in built or not p.is_file()]
    if missing:
        raise PackageError(
            _(
                "{folder}: {missing} not found; build the report first: reportkit build {campaign} "
                "--doc report --to pdf,docx"
            ).format(folder=folder, missing=", ".join(missing), campaign=campaign_folder)
        )
    if signed.is_file():
        check_signable(signed, campaign_folder)
    else:
        check_fresh(folder, "report", campaign_folder)
    pdf = signed if signed.is_file() else plain
    return [_packed(path.name, "document", path.read_bytes(), source=str(path)) for path in (pdf, word)]


def _packed(name: str, kind: str, data: bytes, activity=None, source: str = "") -> Packed:
    return Packed(
        name,
        kind,
        data,
        activity or {},
        len(data),
        hashlib.sha256(data).hexdigest(),
        source,
    )


def _as_listed(video: Packed) -> Packed:
    return Packed(video.name, "listed", None, video.activity, video.size, video.sha256, video.source)


def _evidence(campaign) -> list[Packed]:
    """Each activity's evidence: photos scaled for mail, videos and other files as they are,
    links as links."""
    units = dict(zip(campaign.units["unit_id"], campaign.units["name"], strict=True))
    found = []
    for row in campaign.activities.sort_values(["date", "activity_id"], kind="stable").itertuples():
        evidence = str(row.evidence or "").strip()
        if not evidence:
            continue
        activity = {
            "activity_id": str(row.activity_id),
            "date": str(row.date)[:10],
            "unit": units.get(row.unit_id, str(row.unit_id)),
            "channel": str(row.channel),
        }
        if "://" in evidence:
            found.append(Packed(evidence, "link", None, activity, source=evidence))
            continue
        path = campaign.folder / evidence
        suffix = path.suffix.lower()
        stem = f"{row.activity_id}-{path.stem}"
        if evidence_kind(evidence) == "photo":
            data = photo_for_mail(path)
            found.append(_packed(f"photos/{stem}.jpg", "photo", data, activity, evidence))
        elif suffix in VIDEO_SUFFIXES:
            found.append(_packed(f"videos/{stem}{suffix}", "video", path.read_bytes(), activity, evidence))
        else:
            found.append(_packed(f"other/{stem}{suffix}", "file", path.read_bytes(), activity, evidence))
    return found


_INDEX_COLUMNS = ("file", "kind", "activity_id", "date", "unit", "channel", "size_bytes", "sha256", "source")


def _index(files: list[Packed], others: list[Packed]) -> bytes:
    """index.csv: one row per file, link or listed video, tied to its activity. UTF-8 with a BOM,
    so that Excel shows the Vietnamese letters."""
    rows = [_INDEX_COLUMNS]
    for f in [*files, *others]:
        a = f.activity
        size = str(f.size) if f.kind != "link" else ""
        name = f.name if f.kind not in ("link", "listed") else ""
        source = f.source if f.kind in ("link", "listed") else ""
        rows.append(
            (name, f.kind, a.get("activity_id", ""), a.get("date", ""), a.get("unit", ""),
             a.get("channel", ""), size, f.sha256, source)
        )  # fmt: skip
    # Unit names and sources come from outside: no cell may run as a formula in Excel.
    text = csv_text(rows, numbers=[_INDEX_COLUMNS.index("size_bytes")])
    return "\ufeff".encode() + text.encode("utf-8")


def _manifest(files: list[Packed], others: list[Packed], index: bytes) -> bytes:
    entries = [{"path": "index.csv", "size": len(index), "sha256": hashlib.sha256(index).hexdigest()}]
    entries += [{"path": f.name, "size": f.size, "sha256": f.sha256} for f in files]
    listed = [
        {
            "file": f.source,
            "activity_id": f.activity.get("activity_id", ""),
            "size": f.size,
            "sha256": f.sha256,
        }
        for f in others
        if f.kind == "listed"
    ]
    manifest = {"files": entries, "not_included": listed}
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _zip_bytes(files: list[Packed], others: list[Packed]) -> bytes:
    """The zip: index and manifest first, then the files in the order given; every entry with
    the same timestamp and permissions, compressed only when that helps (text)."""
    index = _index(files, others)
    entries = [("index.csv", index, True), ("manifest.json", _manifest(files, others, index), True)]
    entries += [(f.name, f.data or b"", f.kind == "document" and f.name.endswith(".pdf")) for f in files]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data, compress in entries:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data, compresslevel=9 if compress else None)
    return out.getvalue()
