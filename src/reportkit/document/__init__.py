"""Documents: one model (:mod:`reportkit.document.model`) and a renderer per medium."""

from .._document_old import *  # noqa: F403 (transitional: the composition moves here)
from .._document_old import __all__ as _old_all
from .._document_old import _rasters  # noqa: F401

__all__ = list(_old_all)
