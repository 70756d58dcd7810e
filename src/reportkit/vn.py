"""Vietnamese formatting: amounts in figures and in words, document numbers, place and date.

The rules are those of ``shared/reference/vietnamese-amounts.md`` (accounting practice for
reading amounts) and of Decree 30/2020/NĐ-CP for the header of an administrative document.
Money is integer đồng everywhere: every function here refuses a float.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass
from typing import Literal

from .i18n import _

__all__ = [
    "IssueDate",
    "amount_in_words",
    "doc_number",
    "doc_symbol",
    "format_date",
    "format_percent",
    "format_quantity",
    "format_vnd",
    "issue_date_text",
    "message_number",
    "number_to_words",
    "parse_vnd",
    "place_date",
    "short_date",
    "words_to_number",
]

#: A blank left in a typed document for a number or a day written by hand at signing.
BLANK = "\u00a0" * 6

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9

_VARIANTS = {
    "zero_tens": ("linh", "lẻ"),
    "four": ("tư", "bốn"),
    "thousand": ("nghìn", "ngàn"),
    "billion": ("tỷ", "tỉ"),
}


def _as_integer(n: object, what: str = "amount") -> int:
    """Return ``n`` as an int; a float, a bool or a string is a programming error, not data."""
    if isinstance(n, bool):
        raise TypeError(f"{what} must be an integer number of đồng, not a bool")
    try:
        return operator.index(n)  # int and NumPy integers, never floats
    except TypeError:
        raise TypeError(f"{what} must be an integer number of đồng, got {type(n).__name__} {n!r}") from None


def number_to_words(
    n: int,
    *,
    zero_tens: Literal["linh", "lẻ"] = "linh",
    four: Literal["tư", "bốn"] = "tư",
    thousand: Literal["nghìn", "ngàn"] = "nghìn",
    billion: Literal["tỷ", "tỉ"] = "tỷ",
) -> str:
    """Read a non-negative integer in Vietnamese words, the way accounting software does.

    Parameters
    ----------
    n
        The number, ``0`` or more.
    zero_tens
        Word for a zero tens digit before a unit, after a hundreds digit: 105 → "một trăm linh năm".
    four
        Units digit 4 after a tens digit of 2 or more: 24 → "hai mươi tư".
    thousand, billion
        The scale words for 10³ and 10⁹.

    Returns
    -------
    str
        Lower-case words without a unit: ``number_to_words(300000) == "ba trăm nghìn"``.

    Examples
    --------
    >>> number_to_words(1005)
    'một nghìn không trăm linh năm'
    >>> number_to_words(2021000)
    'hai triệu không trăm hai mươi mốt nghìn'
    """
    options = {"zero_tens": zero_tens, "four": four, "thousand": thousand, "billion": billion}
    for name, value in options.items():
        if value not in _VARIANTS[name]:
            raise ValueError(f"{name} must be one of {_VARIANTS[name]}, got {value!r}")
    n = _as_integer(n, "number")
    if n < 0:
        raise ValueError(f"cannot read a negative number in words: {n}")
    if n == 0:
        return _DIGITS[0]
    return " ".join(_read(n, leading=True, opts=options))


def _read(n: int, *, leading: bool, opts: dict[str, str]) -> list[str]:
    """Words for ``n > 0``; ``leading`` is false when a non-zero higher group was already read."""
    if n >= _BILLION:
        # Scales repeat on top of tỷ: 10¹² is "một nghìn tỷ", 10¹⁸ "một tỷ tỷ".
        high, low = divmod(n, _BILLION)
        words = [*_read(high, leading=leading, opts=opts), opts["billion"]]
        return words + (_read(low, leading=False, opts=opts) if low else [])
    words: list[str] = []
    for scale, size in (("triệu", 10**6), (opts["thousand"], 10**3), ("", 1)):
        group = n // size % 1000
        if group == 0:
            continue
        words += _read_group(group, full=not leading, opts=opts)
        if scale:
            words.append(scale)
        leading = False
    return words


def _read_group(group: int, *, full: bool, opts: dict[str, str]) -> list[str]:
    """Words for a group of three digits; ``full`` reads a zero hundreds digit as "không trăm"."""
    hundreds, tens, units = group // 100, group // 10 % 10, group % 10
    words: list[str] = []
    said_hundreds = full or hundreds > 0
    if said_hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and said_hundreds:
            words.append(opts["zero_tens"])
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units == 4 and tens >= 2:
        words.append(opts["four"])
    elif units:
        words.append(_DIGITS[units])
    return words


_WORD_DIGITS = {word: value for value, word in enumerate(_DIGITS)} | {"mốt": 1, "lăm": 5, "tư": 4}
_SCALES = {"nghìn": 10**3, "ngàn": 10**3, "triệu": 10**6}


def words_to_number(text: str) -> int:
    """Read Vietnamese number words back into an integer; the inverse of :func:`number_to_words`.

    Accepts every variant that :func:`number_to_words` writes, any capitalisation, and the
    trailing "đồng", "chẵn" and "." of :func:`amount_in_words`.
    """
    tokens = text.lower().replace(".", " ").split()
    total = 0  # everything up to the last "tỷ", already multiplied out
    below_billion = 0  # the triệu and nghìn groups read since the last "tỷ"
    group = 0  # the current group of three digits
    pending: int | None = None  # a digit whose role (hundreds, tens or units) is not known yet
    for token in tokens:
        if token in ("đồng", "chẵn", "linh", "lẻ"):
            continue
        if token in _WORD_DIGITS:
            pending = _WORD_DIGITS[token]
        elif token == "trăm":
            group += (pending or 0) * 100
            pending = None
        elif token == "mươi":
            group += (pending or 0) * 10
            pending = None
        elif token == "mười":
            group += 10
        elif token in _SCALES:
            below_billion += (group + (pending or 0)) * _SCALES[token]
            group, pending = 0, None
        elif token in ("tỷ", "tỉ"):
            total = (total + below_billion + group + (pending or 0)) * _BILLION
            below_billion, group, pending = 0, 0, None
        else:
            raise ValueError(f"not a Vietnamese number word: {token!r} in {text!r}")
    return total + below_billion + group + (pending or 0)


def amount_in_words(n: int) -> str:
    """An amount of money in words as written under a budget table.

    >>> amount_in_words(300000)
    'Ba trăm nghìn đồng chẵn'
    """
    n = _as_integer(n)
    if n < 0:
        raise ValueError(f"a negative amount has no reading in a budget: {n}")
    words = number_to_words(n)
    text = f"{words} đồng chẵn" if n else f"{words} đồng"
    return text[0].upper() + text[1:]


def format_vnd(n: int) -> str:
    """An amount in figures, thousands grouped with ``.``: ``format_vnd(300000) == "300.000"``."""
    from babel.numbers import format_decimal  # its locale data: not for a rebuild with nothing to do

    return format_decimal(_as_integer(n), locale="vi_VN", group_separator=True)


_VND_PATTERN = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)")


def parse_vnd(text: str) -> int:
    """Read an amount written in figures (``"300.000"`` or ``"300000"``) as integer đồng.

    A decimal comma, a misplaced ``.`` or a unit is refused: a budget holds whole đồng.
    """
    cleaned = str(text).strip()
    if not _VND_PATTERN.fullmatch(cleaned):
        raise ValueError(f"not a whole amount in đồng: {text!r} (expected digits, grouped like 300.000)")
    return int(cleaned.replace(".", ""))


def format_quantity(n: int) -> str:
    """A count in a Vietnamese table: below 10 with a leading zero (``01``), else like money."""
    n = _as_integer(n, "quantity")
    return f"{n:02d}" if 0 <= n < 10 else format_vnd(n)


@dataclass(frozen=True, order=True)
class IssueDate:
    """A date of issue that may be known only to the month or the year.

    A plan is drafted as "ngày   tháng 5 năm 2021": the day is written when it is signed.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError(_("a day needs a month"))
        # Let the calendar check the numbers (month 13, 30 February).
        dt.date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, value: str | dt.date | IssueDate) -> IssueDate:
        """From a date, or ISO text: ``"2021-05-07"``, ``"2021-05"`` or ``"2021"``."""
        if isinstance(value, IssueDate):
            return value
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(value).strip())
        if not match:
            raise ValueError(
                _("not a date: {value} (expected YYYY-MM-DD, YYYY-MM or YYYY)").format(value=repr(value))
            )
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            return cls(year, month, day)
        except ValueError as error:
            raise ValueError(
                _("not a date: {value} ({reason})").format(value=repr(value), reason=error)
            ) from None

    def to_date(self) -> dt.date | None:
        """The full date, or ``None`` while the day is not known."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def __str__(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p is not None]
        return "-".join(parts)


def _decree_day(day: int | None) -> str:
    return BLANK if day is None else f"{day:02d}"


def _decree_month(month: int | None) -> str:
    # Decree 30: months 1 and 2 take a leading zero, the others do not.
    if month is None:
        return BLANK
    return f"{month:02d}" if month <= 2 else str(month)


def issue_date_text(date: str | dt.date | IssueDate) -> str:
    """``"ngày 07 tháng 5 năm 2021"``, with blanks for what is not known yet."""
    d = IssueDate.parse(date)
    return f"ngày {_decree_day(d.day)} tháng {_decree_month(d.month)} năm {d.year}"


def place_date(place: str, date: str | dt.date | IssueDate) -> str:
    """The place-and-date line of a header: ``"Phú Yên, ngày 07 tháng 5 năm 2021"``.

    Days below 10 and the months 1 and 2 take a leading zero (Decree 30/2020/NĐ-CP);
    a date known only to the month leaves a blank for the day.
    """
    return f"{place}, {issue_date_text(date)}"


def doc_number(number: int | None, doc_type: str, agency: str) -> str:
    """The number and symbol of a document: ``doc_number(5, "KH", "STTTT") == "Số: 05/KH-STTTT"``.

    ``number=None`` leaves a blank to be filled when the document is registered; an empty
    ``doc_type`` gives the symbol of an official letter (``"Số: 1453/BTTTT-HTQT"``).
    """
    return f"Số: {doc_symbol(number, doc_type, agency)}"


def doc_symbol(number: int | None, doc_type: str, agency: str) -> str:
    """Number and symbol without "Số:", as cited in text: ``"05/KH-STTTT"``."""
    if number is None:
        figure = BLANK
    else:
        number = _as_integer(number, "document number")
        if number < 1:
            raise ValueError(f"a document number starts at 1, got {number}")
        figure = f"{number:02d}"
    symbol = f"{doc_type}-{agency}" if doc_type else agency
    return f"{figure}/{symbol}"


def format_date(date: dt.date) -> str:
    """A date in a table or running text: ``"07/5/2021"``."""
    return f"{date.day:02d}/{date.month}/{date.year}"


def short_date(date: dt.date) -> str:
    """A date in running text: ``"ngày 07/5/2021"``."""
    return f"ngày {format_date(date)}"


def message_number(value: float, digits: int | None = 1) -> str:
    """A measure in a message (seconds, megabytes) as the person's language writes it: with a
    decimal comma in Vietnamese (``"3,7"``), a point in English (``"3.7"``); ``digits=None``
    gives as few digits as the value needs (``10`` and ``2.5``)."""
    from .i18n import language

    text = f"{value:g}" if digits is None else f"{value:.{digits}f}"
    return text.replace(".", ",") if language() == "vi" else text


def format_percent(value: float) -> str:
    """A percentage with one decimal and the decimal comma: ``88.2`` → ``"88,2%"``, ``100`` → ``"100%"``."""
    text = f"{value:.1f}".removesuffix(".0").replace(".", ",")
    return f"{text}%"
