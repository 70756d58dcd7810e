"""How a CSV's bytes become text: UTF-8, Windows-1258, and the old Vietnamese encodings.

Offices save CSV in UTF-8 (Excel's "CSV UTF-8") or, on a Vietnamese Windows, in code page
1258. Older PCs still type with the ABC fonts (TCVN3, ``.VnTime``) or the VNI fonts, whose
letters are bytes that Windows-1258 reads as other characters: "Thành phố Tuy Hòa" in TCVN3
reads "Thµnh phè Tuy Hßa". Such a file is recognised and refused with one message naming
its encoding and how to convert it: TCVN3 keeps capitals in a separate font (``.VnTimeH``)
with the same bytes as small letters, so no table can give its text back exactly.

Which encoding a file is in is told by the words it gives: each candidate decodes the file
and the one whose accented words are Vietnamese syllables wins. A stray byte in a file
otherwise in UTF-8 is named by its own position: byte offset, row and column.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .exceptions import DataProblem
from .i18n import _

__all__ = ["TCVN3", "VNI", "Decoded", "LegacyEncoding", "StrayByte", "decode", "encode_legacy", "problem"]

#: TCVN3 (TCVN 5712:1993, VN3, the ABC fonts): each byte, and the letter it is. Small letters
#: only, but the seven capitals Ă Â Ê Ô Ơ Ư Đ; the same bytes as glibc's TCVN5712-1 there.
TCVN3: dict[int, str] = dict(
    zip(
        b"\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae"
        b"\xb5\xb6\xb7\xb8\xb9\xbb\xbc\xbd\xbe\xc6\xc7\xc8\xc9\xca\xcb"
        b"\xcc\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xdc\xdd\xde"
        b"\xdf\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee"
        b"\xef\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe",
        "ĂÂÊÔƠƯĐăâêôơưđàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ",
        strict=True,
    )
)


def _vni() -> dict[str, str]:
    """VNI-Windows: each letter, and the characters (Windows-1252) its font draws it with: the
    base letter, then a byte for its mark; the same with small letters, 0x20 further on."""
    tones = ("", "Ù", "Ø", "Û", "Õ", "Ï")  # none, sắc, huyền, hỏi, ngã, nặng
    capitals = {
        "A": "AÁÀẢÃẠ",
        "AÂ": "ÂẤẦẨẪẬ",
        "AÊ": "ĂẮẰẲẴẶ",
        "E": "EÉÈẺẼẸ",
        "EÂ": "ÊẾỀỂỄỆ",
        "O": "OÓÒỎÕỌ",
        "OÂ": "ÔỐỒỔỖỘ",
        "Ô": "ƠỚỜỞỠỢ",
        "U": "UÚÙỦŨỤ",
        "Ö": "ƯỨỪỬỮỰ",
        "Y": "YÝỲỶỸ",
    }
    # With a circumflex or breve, one byte of another shape says both it and the tone.
    shapes = {"AÂ": "ÁÀÅÃÄ", "EÂ": "ÁÀÅÃÄ", "OÂ": "ÁÀÅÃÄ", "AÊ": "ÉÈÚÜË"}
    table = {}
    for base, letters in capitals.items():
        if base in shapes:  # Ấ is A and the byte Á: that byte says circumflex and tone at once
            table |= {letters[0]: base} | dict(
                zip(letters[1:], (base[0] + m for m in shapes[base]), strict=True)
            )
        else:
            table |= {letter: base + mark for letter, mark in zip(letters, tones, strict=False)}
    table |= {"Ỵ": "Î", "Í": "Í", "Ì": "Ì", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò", "Đ": "Ñ"}
    return table | {letter.lower(): drawn.lower() for letter, drawn in table.items()}


#: VNI-Windows: each Vietnamese letter and the characters its font draws it with.
VNI: dict[str, str] = {letter: drawn for letter, drawn in _vni().items() if letter != drawn}
_FROM_VNI = {drawn: letter for letter, drawn in VNI.items()}
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _FROM_VNI), key=len, reverse=True)))

#: A Vietnamese syllable without its tone: onset, vowels, final consonant (also k, for the
#: names of the Central Highlands: Đắk Lắk).
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưy]{1,3}"
    r"(ng|nh|ch|[cmnptk])?"
)
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[^\W\d_]+")
#: How many of a decoding's accented words must be syllables for it to be believed.
_BELIEVED = 0.8
_SAMPLE = 1 << 16


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was in: ``utf-8-sig``, ``utf-8`` or ``cp1258``."""

    text: str
    encoding: str


@dataclass(frozen=True)
class LegacyEncoding:
    """A file in an old Vietnamese encoding: which one, a line of it as it reads in
    Windows-1258 and as it was meant."""

    encoding: str  # "TCVN3 (ABC)" or "VNI"
    row: int
    raw: str
    meant: str


@dataclass(frozen=True)
class StrayByte:
    """A byte that is no character where it stands: its offset, row and cell (0-based)."""

    offset: int
    row: int
    cell: int
    byte: int


def decode(data: bytes, delimiter_guess: str = ",") -> Decoded | LegacyEncoding | StrayByte:
    """The text of a CSV file's bytes, or why there is none.

    UTF-8 (with or without Excel's byte-order mark) is tried first; bytes that are not UTF-8
    are read as Windows-1258 (normalised to NFC) when its words are Vietnamese, recognised as
    TCVN3 or VNI when theirs are, and otherwise the first byte that is no UTF-8 is named.
    """
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return Decoded(data.decode(encoding), encoding)
    except UnicodeDecodeError as error:
        stray = error.start
    sample = data[:_SAMPLE]
    if not _mostly_utf8(sample):
        scores = {name: _score(text) for name, text in _candidates(sample).items()}
        words = {name: score for name, score in scores.items() if score is not None}
        best = max(words, key=lambda name: words[name]) if words else "cp1258"
        if best == "cp1258" and "cp1258" in scores and (not words or words[best] >= _BELIEVED):
            # Without accented words (a dash, a degree sign) no encoding is told; 1258 as before.
            return Decoded(unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258")
        if words and words[best] >= _BELIEVED and best != "cp1258":
            return _legacy(sample, best)
    return _stray(data, stray, delimiter_guess)


def encode_legacy(text: str, encoding: str) -> bytes:
    """``text`` in ``"TCVN3"`` or ``"VNI"``, as the old fonts' keyboards typed it (tests use it
    to make such files; capitals that TCVN3 lacks are written as small letters)."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "TCVN3":
        to_byte = {char: byte for byte, char in TCVN3.items()}
        out = bytearray()
        for char in text:
            out += bytes([to_byte[char]]) if char in to_byte else _tcvn3_fallback(char, to_byte)
        return bytes(out)
    return "".join(VNI.get(char, char) for char in text).encode("cp1252")


def _tcvn3_fallback(char: str, to_byte: dict[str, int]) -> bytes:
    lower = char.lower()
    return bytes([to_byte[lower]]) if lower in to_byte else char.encode("cp1252")


def _mostly_utf8(data: bytes) -> bool:
    """Whether ``data`` holds more well-formed UTF-8 characters of two or more bytes than
    bytes that are no UTF-8: then it is a UTF-8 file with stray bytes, not a file in another
    encoding (whose bytes rarely happen to form UTF-8)."""
    characters = len(
        re.findall(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}", data)
    )
    return characters > data.decode("utf-8", errors="replace").count("\ufffd")


def _candidates(data: bytes) -> dict[str, str]:
    found = {}
    with contextlib.suppress(UnicodeDecodeError):  # bytes that code page 1258 leaves undefined
        found["cp1258"] = unicodedata.normalize("NFC", data.decode("cp1258"))
    found["TCVN3 (ABC)"] = _from_tcvn3(data)
    found["VNI"] = _from_vni(data)
    return found


def _from_tcvn3(data: bytes) -> str:
    return "".join(TCVN3.get(byte) or chr(byte) for byte in data)


def _from_vni(data: bytes) -> str:
    return _VNI_PATTERN.sub(lambda m: _FROM_VNI[m[0]], data.decode("cp1252", errors="replace"))


def _score(text: str) -> float | None:
    """The share of accented words in ``text`` that are Vietnamese syllables (``None`` when
    it has none)."""
    accented = [word for word in _WORD.findall(text) if not word.isascii()]
    if not accented:
        return None
    return sum(map(_is_syllable, accented)) / len(accented)


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(char in _TONES for char in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(char for char in decomposed if char not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def _legacy(data: bytes, encoding: str) -> LegacyEncoding:
    """The first line with an accented word, as Windows-1258 reads it and as it was meant."""
    lines = data.split(b"\n")
    for row, line in enumerate(lines, start=1):
        if not line.isascii():
            meant = _from_tcvn3(line) if encoding.startswith("TCVN3") else _from_vni(line)
            raw = line.decode("cp1258", errors="replace")
            return LegacyEncoding(encoding, row, _short(raw.strip()), _short(meant.strip()))
    return LegacyEncoding(encoding, 1, "", "")


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _stray(data: bytes, offset: int, delimiter: str) -> StrayByte:
    """Where the byte at ``offset`` stands: its row (1 for the first line) and its cell."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset]
    cell, quoted = 0, False
    for byte in before:  # separators inside quotes are no cell boundaries
        if byte == ord('"'):
            quoted = not quoted
        elif byte == ord(delimiter) and not quoted:
            cell += 1
    return StrayByte(offset, data.count(b"\n", 0, offset) + 1, cell, data[offset])


def problem(path: Path, found: LegacyEncoding | StrayByte, header: Sequence[str] = ()) -> DataProblem:
    """What is wrong with the file at ``path``, for a person to act on; ``header`` names the
    cells of a stray byte's row."""
    if isinstance(found, LegacyEncoding):
        return DataProblem(
            path,
            _(
                "a table in Unicode; this one is in {encoding}, an old Vietnamese encoding: convert it "
                "with Unikey (Unikey > Công cụ chuyển mã, from {encoding} to Unicode), then save it as "
                "'CSV UTF-8 (Comma delimited)'"
            ).format(encoding=found.encoding),
            row=found.row,
            found=_("'{raw}', which is '{meant}'").format(raw=found.raw, meant=found.meant),
        )
    return DataProblem(
        path,
        _("a CSV file in UTF-8 (in Excel: Save As → 'CSV UTF-8 (Comma delimited)') or in Windows-1258"),
        row=found.row,
        column=header[found.cell].strip() if found.cell < len(header) else None,
        found=_("byte {offset} (0x{byte:02X}), which is no character in UTF-8").format(
            offset=found.offset, byte=found.byte
        ),
    )
