"""Notebook parameters: what each notebook takes, and values checked before a kernel starts.

A notebook declares its parameters in the cell tagged ``parameters``, one per line, with a
type and a comment papermill reads::

    number: int | None = None  # the plan's registered number; None leaves a blank

Values come from, in this order, the last one winning: the notebook's defaults, a
``--params-file`` (YAML), then each ``-p NAME=VALUE``. Every value is checked against the
declared type and, for some names, against the campaign (``district`` must be a district
of units.csv). Dates reach the notebook as ``datetime.date``, not as text.

One params file serves every document: its top-level values are common, and a section named
after a document (``plan:``, ``report:``) holds that document's own values, over the common
ones::

    as_of: 2021-05-20
    plan: {number: 5, issued_on: 2021-05-07}
    report: {number: 12, issued_on: 2021-06-02}

A registered number and a date of issue (:data:`OWN`) belong to one document: given for
every document (at the top level, or with ``-p``) while a build makes more than one document
that takes them, they are refused, so that the report never goes out under the plan's number
and day. A report dated before the day its figures run to (``as_of``), or for a final report
before the campaign's window ends, is refused with one message.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .exceptions import ParameterError, ReportkitError
from .i18n import N_, _

__all__ = [
    "OWN",
    "IsoDate",
    "Parameter",
    "check_notebook_parameters",
    "check_parameters",
    "extract_parameter_help",
    "for_papermill",
    "merge_given",
    "notebook_parameters",
    "read_params_file",
    "register_date_translator",
    "split_parameters",
]


@dataclass(frozen=True)
class Parameter:
    """One parameter of a notebook: its name, declared type, default (as source) and help."""

    name: str
    type: str
    default: str
    help: str


_LINE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>[^=]+?)\s*=\s*(?P<default>.+?)\s*(?:#\s*(?P<help>.*))?$"
)


def notebook_parameters(notebook: Path) -> dict[str, Parameter]:
    """The parameters of ``notebook``, read from its ``parameters`` cell without a kernel.

    Reading the JSON directly keeps this fast (no papermill import); every parameter line
    must carry a type annotation, which the notebooks of reportkit do.
    """
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            found = (_LINE.match(line.strip()) for line in source.splitlines())
            return {
                m["name"]: Parameter(m["name"], m["type"], m["default"], (m["help"] or "").strip())
                for m in found
                if m
            }
    raise ReportkitError(_("{notebook}: no cell tagged 'parameters'").format(notebook=notebook))


def extract_parameter_help(fileobj, keywords, comment_tags, options):
    """Babel extractor: the help comments of a notebook's ``parameters`` cell (see babel.cfg).

    ``reportkit params`` prints them translated, so they belong in the catalog.
    """
    nb = json.load(fileobj)
    for index, cell in enumerate(nb.get("cells", [])):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for line in source.splitlines():
                match = _LINE.match(line.strip())
                if match and match["help"]:
                    yield index + 1, None, match["help"].strip(), [f"parameter {match['name']}"]


def read_params_file(path: str | Path) -> dict[str, Any]:
    """Parameters from a YAML mapping (``--params-file``): common values, and a section of its
    own values under a document's name (see the module's docstring)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ParameterError(
            "--params-file", _("cannot read {path}: {reason}").format(path=path, reason=error.strerror)
        ) from None
    except yaml.YAMLError as error:
        raise ParameterError(
            "--params-file", _("{path} is not valid YAML: {reason}").format(path=path, reason=error)
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(
            "--params-file", _("{path} must hold a mapping of NAME: VALUE").format(path=path)
        )
    return {str(k): v for k, v in data.items()}


def merge_given(file_values: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """A params file's values (common ones and sections), then ``-p`` values over all of them.

    A ``-p`` value is for every document, so it also replaces the same name in each section:
    the last one given wins, as the documented order says.
    """
    merged: dict[str, Any] = {}
    for name, value in file_values.items():
        if isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in given}
        merged[name] = value
    return merged | dict(given)


def _as_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    if isinstance(value, str) and not re.fullmatch(r"-?\d+", value.strip()):
        raise ValueError
    return int(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        raise ValueError
    return float(value)


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return dt.date.fromisoformat(value.strip())
    raise ValueError


def _as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _as_str(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise ValueError


#: Converters by declared type, with what each expects in words.
_TYPES: dict[str, tuple[Callable[[Any], Any], str]] = {
    "int": (_as_int, N_("a whole number")),
    "float": (_as_float, N_("a number like 2.5")),
    "str": (_as_str, N_("text")),
    "datetime.date": (_as_date, N_("a date like 2021-05-20")),
    "bool": (_as_bool, N_("true or false")),
}


def _convert(parameter: Parameter, value: Any) -> Any:
    kinds = [kind.strip() for kind in parameter.type.split("|")]
    if value is None:
        if "None" in kinds:
            return None
        raise ParameterError(parameter.name, _("a value is needed ({type})").format(type=parameter.type))
    expected = []
    for kind in kinds:
        if kind == "None":
            continue
        convert, words = _TYPES.get(kind, (None, kind))
        expected.append(_(words) if convert is not None else words)
        if convert is None:
            continue
        try:
            return convert(value)
        except (ValueError, TypeError):
            continue
    raise ParameterError(
        parameter.name,
        _("expected {expected}, got {value}").format(expected=_(" or ").join(expected), value=repr(value)),
    )


def _check_issued_on(value: str, campaign) -> str:
    from .vn import IssueDate  # babel's locale data: not for a rebuild with nothing to do

    try:
        return str(IssueDate.parse(value))
    except ValueError:
        raise ParameterError(
            "issued_on", _("expected 2021-05-07, 2021-05 or 2021, got {value}").format(value=repr(value))
        ) from None


def _check_district(value: str, campaign) -> str:
    districts = [] if campaign.units is None else sorted({d for d in campaign.units["district"] if d})
    if value not in districts:
        raise ParameterError(
            "district",
            _("{value} is not a district of units.csv; its districts are: {districts}").format(
                value=repr(value), districts=", ".join(districts)
            ),
        )
    return value


def _check_positive(name: str) -> Callable[[int, Any], int]:
    def check(value: int, campaign) -> int:
        if value < 1:
            raise ParameterError(name, _("expected 1 or more, got {value}").format(value=value))
        return value

    return check


def _check_report_date(checked: Mapping[str, Any], campaign) -> None:
    """A report is dated on or after the day its figures run to: ``as_of`` for an interim one,
    the end of the campaign's window for a final one. A date known to the month or the year
    passes when its last day does."""
    from .vn import IssueDate

    report = getattr(getattr(campaign, "config", None), "report", None)
    issued = checked.get("issued_on") or getattr(report, "issued_on", None)
    if report is None or issued is None:
        return
    issued = IssueDate.parse(issued)
    as_of = checked.get("as_of")
    ends = as_of or report.window.end
    last = dt.date(issued.year, issued.month or 12, issued.day or 1)
    if issued.day is None:  # the last day of that month
        last = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if last < ends:
        because = (
            _("its figures run to {day} (as_of)").format(day=ends.isoformat())
            if as_of
            else _("the campaign's window ends on {day}").format(day=ends.isoformat())
        )
        raise ParameterError(
            "issued_on",
            _("a report cannot be dated {issued}: {because}; give a later issued_on").format(
                issued=str(issued), because=because
            ),
        )


#: Checks beyond the type, for parameters whose valid values depend on the campaign.
_CHECKS: dict[str, Callable[[Any, Any], Any]] = {
    "issued_on": _check_issued_on,
    "district": _check_district,
    "number": _check_positive("number"),
    "appendix_rows": _check_positive("appendix_rows"),
}


def check_parameters(notebook: Path, values: Mapping[str, Any], campaign=None) -> dict[str, Any]:
    """``values`` converted to the notebook's declared types and checked; raise on the first bad one.

    Raises
    ------
    ParameterError
        An unknown name (the message lists the known ones), a value of the wrong type, or a
        value the campaign does not have (a district that is not in units.csv).
    """
    known = notebook_parameters(notebook)
    checked: dict[str, Any] = {}
    for name, value in values.items():
        if name == "campaign":
            raise ParameterError(name, _("give the campaign folder as the build's first argument instead"))
        if name not in known:
            names = ", ".join(n for n in known if n != "campaign")
            raise ParameterError(
                name,
                _("{notebook} has no such parameter; its parameters are: {names}").format(
                    notebook=notebook.name, names=names
                ),
            )
        checked[name] = _checked(known[name], value, campaign)
    if campaign is not None and "issued_on" in known and "as_of" in known:  # a report's parameters
        _check_report_date(checked, campaign)
    return checked


def _checked(parameter: Parameter, value: Any, campaign) -> Any:
    """``value`` converted to ``parameter``'s type, then checked against the campaign."""
    converted = _convert(parameter, value)
    if converted is not None and parameter.name in _CHECKS:
        converted = _CHECKS[parameter.name](converted, campaign)
    return converted


def check_notebook_parameters(namespace: Mapping[str, Any], campaign=None) -> dict[str, Any]:
    """The notebook's parameters, checked and converted as ``reportkit build`` does.

    Called by each notebook in the cell after its ``parameters`` cell, so that a value typed
    into that cell in JupyterLab (a district spelt ``"Tuy An"``, a date as ``"2021-05-15"``)
    is refused or converted with the command line's messages, before anything is computed::

        globals().update(check_notebook_parameters(globals(), report_campaign))

    The parameters are the names the ``parameters`` cell annotates (``as_of: datetime.date |
    None = None``): the kernel keeps those annotations in ``__annotations__``, so the check
    needs no notebook file and works in a copy, under papermill (whose injected cell assigns
    the same names) and under nbclient alike. Values already checked are unchanged.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``.
    campaign
        The loaded campaign, for the checks that need its data (``district``).

    Returns
    -------
    dict
        Every parameter by name, converted to its declared type.

    Raises
    ------
    ParameterError
        The first value of the wrong type, or one the campaign does not have. Inside IPython,
        reportkit's errors are shown from then on as their message, without a traceback.
    """
    _show_errors_as_messages()
    declared = namespace.get("__annotations__", {})
    return {
        name: _checked(Parameter(name, _type_text(kind), "", ""), namespace.get(name), campaign)
        for name, kind in declared.items()
    }


def _type_text(annotation: Any) -> str:
    """An evaluated annotation as the parameters cell writes it: ``datetime.date | None``."""
    import types
    import typing

    if isinstance(annotation, str):
        return annotation
    if annotation is None or annotation is type(None):
        return "None"
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return " | ".join(_type_text(kind) for kind in typing.get_args(annotation))
    if isinstance(annotation, type):
        module = annotation.__module__
        return annotation.__qualname__ if module == "builtins" else f"{module}.{annotation.__qualname__}"
    return str(annotation)


def _show_errors_as_messages() -> None:
    """In an IPython kernel, show a :class:`ReportkitError` as the CLI does: its message only.

    The cell still fails (nbclient, papermill and JupyterLab's Run All stop there); only the
    traceback through reportkit's own code, useless to an analyst, is left out.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def message_only(shell, kind, error, traceback, tb_offset=None):
        shown = [f"\x1b[31m{kind.__name__}\x1b[0m: {error}"]
        shell._showtraceback(kind, error, shown)  # what IPython's own handler ends with: the error output
        return shown

    shell.set_custom_exc((ReportkitError,), message_only)


#: Values that name one document: its registered number and its date of issue.
OWN = ("number", "issued_on")


def split_parameters(
    notebooks: Mapping[str, Path], values: Mapping[str, Any], documents: Collection[str] = ()
) -> dict[str, dict[str, Any]]:
    """The values each notebook declares: one build of the plan and the report takes both sets.

    ``values`` are common values and sections (a mapping under a document's name, see the
    module's docstring); ``documents`` names every document known, so that a section for one
    not built now is passed over while a misspelt one is an error. A name that none of
    ``notebooks`` declares is an error that lists the names they know, and so is a value of
    :data:`OWN` given to more than one document.
    """
    declared = {doc: notebook_parameters(path) for doc, path in notebooks.items()}
    sections = {name: value for name, value in values.items() if isinstance(value, Mapping)}
    common = {name: value for name, value in values.items() if name not in sections}
    for name in sections:
        if name not in notebooks and name not in documents:
            raise ParameterError(
                name,
                _("a section of the params file must name a document; documents: {docs}").format(
                    docs=", ".join(dict.fromkeys([*notebooks, *documents]))
                ),
            )
    for name in common:
        if name == "campaign":
            raise ParameterError(name, _("give the campaign folder as the build's first argument instead"))
        if not any(name in known for known in declared.values()):
            names = list(dict.fromkeys(n for known in declared.values() for n in known if n != "campaign"))
            files = [p.name for p in notebooks.values()]
            if len(files) == 1:
                message = _("{notebook} has no such parameter; its parameters are: {names}")
            else:
                message = _("none of {notebooks} has such a parameter; their parameters are: {names}")
            raise ParameterError(
                name, message.format(notebook=files[0], notebooks=", ".join(files), names=", ".join(names))
            )
        takers = [doc for doc, known in declared.items() if name in known]
        if name in OWN and len(takers) > 1:
            raise ParameterError(
                name,
                _(
                    "one value for {docs} would give them the same {name}; put it under each "
                    "document's section of the params file ({sections}), or build one with --doc NAME"
                ).format(docs=", ".join(takers), name=name, sections=", ".join(f"{d}:" for d in takers)),
            )
    split = {doc: {k: v for k, v in common.items() if k in known} for doc, known in declared.items()}
    for doc, section in sections.items():
        if doc not in declared:
            continue
        for name, value in section.items():
            if name not in declared[doc]:
                raise ParameterError(
                    name,
                    _("{notebook} has no such parameter; its parameters are: {names}").format(
                        notebook=notebooks[doc].name,
                        names=", ".join(n for n in declared[doc] if n != "campaign"),
                    ),
                )
            if name == "campaign":
                raise ParameterError(
                    name, _("give the campaign folder as the build's first argument instead")
                )
            split[doc][name] = value
    return split


class IsoDate(str):
    """A date on its way to a notebook: text in the notebook's metadata (JSON has no dates),
    a ``datetime.date`` in the cell papermill injects (see :func:`register_date_translator`)."""

    @classmethod
    def of(cls, date: dt.date) -> IsoDate:
        return cls(date.isoformat())


def for_papermill(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with every date wrapped as :class:`IsoDate`."""
    return {k: IsoDate.of(v) if isinstance(v, dt.date) else v for k, v in values.items()}


def register_date_translator() -> None:
    """Teach papermill to pass a ``datetime.date`` as a date, not as its text (papermill #345)."""
    from papermill.translators import PythonTranslator, papermill_translators

    class DateTranslator(PythonTranslator):
        @classmethod
        def translate(cls, val):
            if isinstance(val, IsoDate):
                date = dt.date.fromisoformat(val)
                return f"datetime.date({date.year}, {date.month}, {date.day})"
            return super().translate(val)

        @classmethod
        def codify(cls, parameters, comment="Parameters"):
            source = super().codify(parameters, comment)
            if any(isinstance(v, IsoDate) for v in parameters.values()):
                source = "import datetime\n" + source
            return source

    papermill_translators.register("python", DateTranslator)
