"""reportkit: a campaign's data in, Decree-30 plans and after-action reports out.

The way of a figure, module by module: :mod:`reportkit.campaign` loads and checks a campaign
folder (its tables through :mod:`reportkit.tables`), :mod:`reportkit.budget` computes the
figures, :mod:`reportkit.vn` writes them the Vietnamese way, :mod:`reportkit.document` composes
the document, :mod:`reportkit.execute` runs the notebook with checked parameters and
:mod:`reportkit.export` turns it into HTML and PDF.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("reportkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
