"""Documents: one model, a renderer per medium.

A document is one typed tree (:mod:`.model`), made from building blocks
(:mod:`reportkit.blocks`, :func:`.compose`) or by the plan, the report and the consolidated
report (:mod:`.plan`, :mod:`.report`, :mod:`.consolidated`). Its views: the HTML page
(:mod:`.html`), the PDF typeset by Typst (:mod:`.typst`) and the Word file (:mod:`.docx`).

The names below load on first use, so that an exporter reading a tree imports neither pandas
nor the campaign's code, and :mod:`reportkit.blocks` can use the model without a cycle.
"""

from importlib import import_module
from typing import Any

__all__ = [
    "APPENDIX_ROWS",
    "DOCUMENT_MIMETYPE",
    "FIGURES_MIMETYPE",
    "Appendix",
    "Document",
    "compose",
    "consolidated_document",
    "plan_document",
    "report_document",
]

_HOMES = {
    "APPENDIX_ROWS": ".report",
    "DOCUMENT_MIMETYPE": ".model",
    "FIGURES_MIMETYPE": ".model",
    "Appendix": ".composition",
    "Document": ".model",
    "compose": ".composition",
    "consolidated_document": ".consolidated",
    "plan_document": ".plan",
    "report_document": ".report",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'reportkit.document' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)


def __dir__() -> list[str]:
    return sorted(__all__)
