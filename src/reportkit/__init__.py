"""reportkit: a campaign's data in, Decree-30 plans and after-action reports out.

The way of a figure, module by module: :mod:`reportkit.campaign` loads and checks a campaign
folder (its tables through :mod:`reportkit.tables`), :mod:`reportkit.budget` computes the
figures, :mod:`reportkit.vn` writes them the Vietnamese way, :mod:`reportkit.document` composes
the document, :mod:`reportkit.execute` runs the notebook with checked parameters and
:mod:`reportkit.export` turns it into HTML and PDF.
"""

# The one place the version is written (pyproject.toml reads it from here): asking
# importlib.metadata instead costs every command, and every kernel, a scan of site-packages.
__version__ = "0.1.0"

__all__ = ["__version__"]
