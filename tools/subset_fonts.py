"""Make the web copies of the shipped face that HTML pages embed: src/reportkit/fonts/web/*.woff.

Each copy holds the letters Vietnamese documents use (Latin, Latin-1, Latin Extended-A and -B,
the Vietnamese block, combining tone marks) and common punctuation and signs, so a page can
carry the face without cutting it anew at every build (that took about 0.8 s a document).
Run it again only when the shipped face changes:

    .venv/bin/python tools/subset_fonts.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "src" / "reportkit" / "fonts"

#: Unicode ranges kept: Basic Latin, Latin-1, Latin Extended-A and -B (Ơ, Ư), combining marks,
#: the Vietnamese letters, general punctuation, and signs documents use (₫ € № − ≠ ≤ ≥).
RANGES = [
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
]
SIGNS = [0x20AB, 0x20AC, 0x2116, 0x2122, 0x2190, 0x2192, 0x2212, 0x2248, 0x2260, 0x2264, 0x2265]


def main() -> None:
    unicodes = [u for start, end in RANGES for u in range(start, end + 1)] + SIGNS
    for source in sorted(FONTS.glob("LiberationSerif-*.ttf")):
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        options.hinting = False
        options.drop_tables += ["FFTM"]
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        target = FONTS / "web" / source.with_suffix(".woff").name
        font.save(target)
        print(f"{target.relative_to(FONTS.parents[2])}: {target.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
