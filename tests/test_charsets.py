"""Tables in the encodings offices still save: UTF-8, Windows-1258, TCVN3 (ABC) and VNI."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from reportkit.charsets import TCVN3, VNI, Decoded, LegacyEncoding, StrayByte, decode, encode_legacy

from .conftest import ROOT, SAMPLE, require_program
from .test_campaign import to_cp1258
from .test_collect import digest

TEXT = (
    "Thành phố Tuy Hòa, Phòng Văn hóa và Thông tin huyện Đồng Xuân; Uỷ ban nhân dân tỉnh Phú Yên. "
    "Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới, người dân Đắk Lắk"
)


def test_the_tcvn3_table_is_glibcs_tcvn5712_for_every_letter_it_has():
    """An independent source: glibc's iconv reads each byte as the table says."""
    require_program("iconv")
    data = bytes(sorted(TCVN3))
    glibc = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=data, capture_output=True, check=True
    )
    assert glibc.stdout.decode() == "".join(TCVN3[byte] for byte in data)
    assert len(set(TCVN3.values())) == len(TCVN3) == 74  # 67 small letters, 7 capitals


@pytest.mark.parametrize(
    ("meant", "vni"),
    [  # as VNI fonts' users know them
        ("Việt Nam", "Vieät Nam"),
        ("Xin chào các bạn", "Xin chaøo caùc baïn"),
        ("Thành phố", "Thaønh phoá"),
        ("Đường", "Ñöôøng"),
        ("Ắng Ẳng", "AÉng AÚng"),
    ],
)
def test_the_vni_table_writes_letters_as_vni_fonts_draw_them(meant, vni):
    assert encode_legacy(meant, "VNI").decode("cp1252") == vni
    assert set(VNI) >= {"ư", "ơ", "đ", "Đ", "ự", "ỵ"}


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (to_cp1258(TEXT), "cp1258"),
        (encode_legacy(TEXT, "TCVN3"), "TCVN3 (ABC)"),
        (encode_legacy(TEXT, "VNI"), "VNI"),
        (encode_legacy(TEXT.upper(), "VNI"), "VNI"),
        ("Thµnh phè Tuy Hßa".encode("cp1258"), "TCVN3 (ABC)"),  # as the issue saw it printed
    ],
)
def test_the_encoding_a_table_was_saved_in_is_recognised(data, encoding):
    found = decode(b"line_id,content\n1," + data + b"\n")
    if isinstance(found, Decoded):
        assert (found.encoding, found.text.split("\n")[1][2:]) == (encoding, TEXT)
    else:
        assert isinstance(found, LegacyEncoding) and found.encoding == encoding
        assert found.row == 2 and found.meant.casefold().startswith("1,thành phố tuy hòa")


def test_a_windows_1258_table_without_accented_words_is_read_as_before():
    data = "line_id,content\n1,Banner – 20°\n".encode("cp1258")
    assert decode(data) == Decoded("line_id,content\n1,Banner – 20°\n", "cp1258")


def test_excels_byte_order_mark_says_utf8():
    assert decode(b"\xef\xbb\xbfline_id,content\n1," + TEXT.encode() + b"\n") == Decoded(
        f"line_id,content\n1,{TEXT}\n", "utf-8-sig"
    )


def test_a_stray_byte_in_utf8_is_named_by_its_own_place():
    data = f'line_id,content,unit\n1,{TEXT},cái\n2,"Băng rôn, pa-nô",chiếc\n'.encode()
    data = data.replace("chiếc".encode(), b"chi\xe1c")  # ế typed on an old keyboard: one byte
    found = decode(data)
    assert isinstance(found, StrayByte) and found.byte == 0xE1
    assert (found.row, found.offset) == (3, data.index(b"\xe1c\n"))
    assert decode(data, ",").cell == 2  # the comma inside quotes is no cell boundary


def reportkit(*args: str):
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


@pytest.mark.parametrize(("encoding", "name"), [("TCVN3", "TCVN3 (ABC)"), ("VNI", "VNI")])
def test_validate_refuses_a_units_table_in_an_old_encoding_naming_it_and_the_way_out(
    tmp_path, encoding, name
):
    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    units = folder / "units.csv"
    units.write_bytes(encode_legacy(units.read_text(encoding="utf-8"), encoding))
    before = digest(folder)
    result = reportkit("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"units.csv, row 2: a table in Unicode; this one is in {name}" in result.stderr
    assert "Unikey > Công cụ chuyển mã" in result.stderr
    assert "which is 'so-bcvt,Phòng Bưu chính - Viễn thông" in result.stderr
    assert digest(folder) == before


def test_validate_names_a_stray_byte_by_row_and_column(tmp_path):
    folder = tmp_path / "campaign"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("returns"))
    units = folder / "units.csv"
    data = units.read_bytes()
    offset = data.index("Thị xã Sông Cầu".encode())
    units.write_bytes(data[:offset] + b"Th\xec" + data[offset + len("Thị".encode()) :])
    result = reportkit("validate", str(folder))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    row = data[:offset].count(b"\n") + 1
    assert (
        f"units.csv, row {row}, column 'district': a CSV file in UTF-8 (in Excel: Save As → 'CSV UTF-8 "
        f"(Comma delimited)') or in Windows-1258 (found 'byte {offset + 2} (0xEC), which is no character "
        "in UTF-8')"
    ) in result.stderr
