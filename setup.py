"""The one build step pyproject.toml cannot say: the notebooks go into the package.

The notebooks live at the top of the repository (``notebooks/``, where JupyterLab and a reader
find them), not inside ``src/reportkit``. A wheel must carry them, or an installed reportkit
finds no document: this copies ``notebooks/*.ipynb`` into the built package as
``reportkit/notebooks/``, where :func:`reportkit.documents.notebook_folders` looks. An editable
install reads them from the repository instead, so nothing is copied then.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

NOTEBOOKS = Path(__file__).parent / "notebooks"


class BuildWithNotebooks(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "reportkit" / "notebooks"
        self.mkpath(str(target))
        for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
            self.copy_file(str(notebook), str(target / notebook.name))


setup(cmdclass={"build_py": BuildWithNotebooks})
