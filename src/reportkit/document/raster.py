"""The charts as PNG for Word, drawn by Typst from their SVG when the .docx is written.

python-docx cannot give Word an SVG, so the Word renderer places a PNG of each chart. It is
drawn here, from the SVG the tree carries, by the engine that sets the PDF and in the same
face (:func:`reportkit.document.typst.shipped_fonts`): the chart in Word has the PDF's text.
The notebook's kernel draws no raster, so a build without Word pays nothing for it and a
notebook run in JupyterLab exports to Word as it is.

Each chart is a page of its own exactly as large as the chart at the width of the text, drawn
at :data:`PPI`. Typst lets go of the GIL while it compiles, so the charts of one document are
drawn side by side.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from .docx_look import TEXT_WIDTH_PT
from .typst import shipped_fonts
from .typst_markup import svg_for_typst

__all__ = ["PPI", "chart_pngs"]

#: Pixels per inch of a chart's PNG: at the 16.5 cm of the text, 1,299 pixels across, sharp
#: in print (hairlines and 9 pt labels stay clean) for some 40 kB a chart.
PPI = 200

#: One page holding the SVG (given as ``sys.inputs.svg``) at the width of the text, no margin,
#: on white as the page it goes on.
_PAGE = f"""#set page(width: {TEXT_WIDTH_PT:.3f}pt, height: auto, margin: 0pt, fill: white)
#image(bytes(sys.inputs.svg), format: "svg", width: 100%)
""".encode()


def chart_pngs(svgs: Sequence[str]) -> list[bytes]:
    """The PNG of each chart's SVG, in their order, at the width of the text and :data:`PPI`."""
    if len(svgs) < 2:
        return [_png(svg) for svg in svgs]
    with ThreadPoolExecutor(max_workers=min(len(svgs), os.cpu_count() or 1)) as pool:
        return list(pool.map(_png, svgs))


def _png(svg: str) -> bytes:
    import typst

    compiler = typst.Compiler(_PAGE, font_paths=shipped_fonts(), sys_inputs={"svg": svg_for_typst(svg)})
    return compiler.compile(format="png", ppi=PPI)
