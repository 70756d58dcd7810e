"""The ``reportkit`` command: parse the arguments, make one library call, report.

Errors that reportkit raises on purpose print as one message and exit with code 2; the
traceback is for bugs only. Heavy libraries (pandas, papermill, WeasyPrint) are imported
only by the commands that need them, so a rebuild with nothing to do returns at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .exceptions import ReportkitError
from .execute import DOCUMENTS, FORMATS  # light: execute imports its heavy libraries late

__all__ = ["main"]

SAMPLE_CAMPAIGN = "data/campaigns/wtisd-2021-phu-yen"

EPILOG = """examples:
  reportkit build                                  # the sample campaign's plan and report, HTML and PDF
  reportkit build data/campaigns/wtisd-2021-phu-yen --doc plan -p number=5 -p issued_on=2021-05-07
  reportkit build --doc report -p as_of=2021-05-20 --out outputs/interim
  reportkit build --params-file params.yaml --to pdf --force
  reportkit validate data/campaigns/wtisd-2021-phu-yen
  reportkit params report
  reportkit new data/campaigns/wtisd-2021-phu-yen --id wtisd-2022-phu-yen --year 2022
  reportkit batch data/campaigns/wtisd-2021-phu-yen --doc report --each district --jobs 2
  reportkit batch --grid runs.csv --doc report
  reportkit batch --doc report --each district --cluster tcp://127.0.0.1:8786

parameters: the notebook's defaults, then --params-file (YAML), then each -p; the last wins.
exit codes: 0 done, 1 a batch had failing runs, 2 bad input (one message says what and where).
"""


def _parameter(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``; the value is read as YAML (5 is a number, null is None, text stays text)."""
    import yaml

    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except (yaml.YAMLError, ValueError):  # ValueError: a date-shaped value such as 2022-02-30
        value = raw
    if isinstance(value, dict | list):
        value = raw  # a parameter is a scalar; keep what was typed
    return name.strip(), value


def _formats(text: str) -> list[str]:
    formats = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FORMATS)}; got {text!r}")
    return formats


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        type=_formats,
        default=list(FORMATS),
        metavar="FORMATS",
        help=f"comma-separated formats besides the notebook (default: {','.join(FORMATS)})",
    )
    parser.add_argument("--out", default="outputs", help="output folder (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no summary")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="reportkit",
        description="Turn a campaign's data into Decree-30 plans and reports (notebook, HTML, PDF).",
        epilog=EPILOG,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"reportkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="execute the notebooks and export the documents",
        epilog=EPILOG,
        formatter_class=formatter,
        description="Build the plan and the report of a campaign into <out>/<campaign id>/. "
        "Documents whose inputs did not change are reused.",
    )
    build.add_argument(
        "campaign", nargs="?", default=SAMPLE_CAMPAIGN, help="campaign folder (default: %(default)s)"
    )
    build.add_argument(
        "--doc", choices=[*DOCUMENTS, "all"], default="all", help="document to build (default: all)"
    )
    build.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        type=_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a notebook parameter; repeat for more (values read as YAML)",
    )
    build.add_argument("--params-file", metavar="FILE.yaml", help="notebook parameters from a YAML mapping")
    _add_output_options(build)

    validate = commands.add_parser(
        "validate",
        help="check a campaign folder and list every problem",
        description="Check campaign.yaml and every table; list each problem with file, row and column.",
    )
    validate.add_argument("campaign", help="campaign folder")

    params = commands.add_parser(
        "params",
        help="list a notebook's parameters, their types, defaults and help",
        description="List the parameters a notebook takes, as -p NAME=VALUE or in --params-file.",
    )
    params.add_argument(
        "doc", nargs="?", choices=DOCUMENTS, default=None, help="plan or report (default: both)"
    )

    new = commands.add_parser(
        "new",
        help="start next campaign's folder from an earlier one",
        formatter_class=formatter,
        description="Copy a campaign for a new year: dates moved to the year, numbers and days of issue "
        "blanked, activities and report dates emptied, budget kept as a starting point.",
        epilog="example:\n"
        "  reportkit new data/campaigns/wtisd-2021-phu-yen --id wtisd-2022-phu-yen --year 2022",
    )
    new.add_argument("source", help="the earlier campaign's folder")
    new.add_argument("--id", required=True, help="the new campaign's id, also its folder's name")
    new.add_argument("--year", required=True, type=int, help="the new campaign's year")
    new.add_argument("--theme", help="the new year's theme")
    new.add_argument("--dest", help="folder to create it in (default: beside SOURCE)")

    batch = commands.add_parser(
        "batch",
        help="one document per district, or per row of a grid, in parallel",
        formatter_class=formatter,
        description="Build one document per district (--each district) or per row of a CSV grid whose "
        "header names parameters (--grid). Each run writes to <out>/<campaign id>/<doc>-<slug>/.",
        epilog="examples:\n  reportkit batch data/campaigns/wtisd-2021-phu-yen --each district --jobs 2\n"
        "  reportkit batch --grid runs.csv    # runs.csv: district,as_of\\nHuyện Tuy An,2021-05-20",
    )
    batch.add_argument(
        "campaign", nargs="?", default=SAMPLE_CAMPAIGN, help="campaign folder (default: %(default)s)"
    )
    batch.add_argument(
        "--doc", choices=DOCUMENTS, default="report", help="document to build (default: report)"
    )
    how = batch.add_mutually_exclusive_group(required=True)
    how.add_argument("--each", choices=["district"], help="one run per district of units.csv")
    how.add_argument("--grid", metavar="FILE.csv", help="one run per row; the header names parameters")
    batch.add_argument("--jobs", type=int, default=1, help="runs at once (default: 1)")
    _add_cluster_options(batch)
    _add_output_options(batch)
    return parser


def _add_cluster_options(batch: argparse.ArgumentParser) -> None:
    """``reportkit batch --cluster``: the runs as tasks on a Dask cluster (reportkit.cluster)."""
    from .i18n import _

    where = batch.add_mutually_exclusive_group()
    where.add_argument(
        "--cluster",
        metavar="tcp://HOST:PORT",
        help=_(
            "run on the Dask scheduler at this address instead of local processes; every worker must "
            "see the campaign and --out at the same paths (pip install 'reportkit[dask]')"
        ),
    )
    where.add_argument(
        "--scheduler-file", metavar="FILE", help=_("run on the Dask scheduler described in this file")
    )
    batch.add_argument(
        "--retries",
        type=int,
        default=2,
        help=_("on a cluster, times a run whose worker died is submitted again (default: %(default)s)"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reportkit`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    handlers = {"build": _build, "validate": _validate, "params": _params, "new": _new, "batch": _batch}
    try:
        return handlers[args.command](args)
    except ReportkitError as error:
        print(f"reportkit: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reportkit: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 130


def _show_progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _build(args: argparse.Namespace) -> int:
    from .execute import build

    parameters: dict[str, Any] = {}
    if args.params_file:
        from .parameters import read_params_file

        parameters |= read_params_file(args.params_file)
    parameters |= dict(args.parameters)
    if args.doc == "all":
        docs = DOCUMENTS if _has_results(Path(args.campaign)) else ("plan",)
    else:
        docs = (args.doc,)
    result = build(
        args.campaign,
        docs=docs,
        to=args.to,
        parameters=parameters,
        out=args.out,
        force=args.force,
        progress=_show_progress(args),
    )
    if not args.quiet:
        for doc, files in result.files.items():
            state = "unchanged, reused" if doc in result.reused else "built"
            print(f"{doc} ({state}): {', '.join(str(f) for f in files)}")
        print(f"done in {result.seconds:.1f} s")
    return 0


def _has_results(folder: Path) -> bool:
    """Whether campaign.yaml has a report section, read cheaply; the build checks the rest."""
    import yaml

    try:
        # libyaml's parser when there: a rebuild with nothing to do has no time for pure Python's
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load((folder / "campaign.yaml").read_text(encoding="utf-8"), Loader=loader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return True  # let the build report the problem
    return not isinstance(data, dict) or data.get("report") is not None


def _validate(args: argparse.Namespace) -> int:
    from .campaign import load_campaign

    campaign = load_campaign(args.campaign)
    counts = [f"{len(campaign.budget)} budget lines"]
    if campaign.units is not None:
        counts += [f"{len(campaign.units)} units", f"{len(campaign.activities)} activities"]
    print(f"{Path(args.campaign)}: campaign '{campaign.id}' is valid ({', '.join(counts)})")
    return 0


def _params(args: argparse.Namespace) -> int:
    from .execute import notebook_path
    from .parameters import notebook_parameters

    for doc in [args.doc] if args.doc else DOCUMENTS:
        path = notebook_path(doc)
        print(f"{doc} ({path}):")
        for p in notebook_parameters(path).values():
            note = " (set by reportkit build from CAMPAIGN)" if p.name == "campaign" else ""
            print(f"  {p.name}: {p.type} = {p.default}{note}")
            if p.help:
                print(f"      {p.help}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from .scaffold import new_campaign

    source = Path(args.source)
    made = new_campaign(
        source, args.id, args.year, theme=args.theme, parent=Path(args.dest) if args.dest else None
    )
    print(f"{made.folder}: ready to edit (campaign.yaml, budget, units; activities empty)")
    if made.to_review:
        print("these lines still name the earlier year; check them:")
        for line in made.to_review:
            print(f"  {line[:150]}")
    return 0


def _batch(args: argparse.Namespace) -> int:
    from .batch import district_runs, grid_runs, run_batch

    campaign = Path(args.campaign)
    runs = district_runs(campaign, args.doc) if args.each else grid_runs(Path(args.grid), args.doc)
    outcomes = run_batch(
        campaign,
        args.doc,
        runs,
        to=args.to,
        out=Path(args.out),
        jobs=args.jobs,
        force=args.force,
        progress=_show_progress(args),
        cluster=args.cluster,
        scheduler_file=args.scheduler_file,
        retries=args.retries,
    )
    failed = {v: o for v, o in outcomes.items() if o.startswith("error")}
    if not args.quiet or failed:
        for variant, outcome in outcomes.items():
            print(f"{variant}: {outcome}", file=sys.stderr if outcome.startswith("error") else sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
