"""The ``reportkit`` command: parse the arguments, make one library call, report.

Errors that reportkit raises on purpose print as one message and exit with code 2; the
traceback is for bugs only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from .exceptions import ReportkitError

__all__ = ["main"]

SAMPLE_CAMPAIGN = "data/campaigns/wtisd-2021-phu-yen"

EPILOG = """examples:
  reportkit build                                  # the sample campaign's plan and report, HTML and PDF
  reportkit build --doc report -p district="Huyện Tuy An" --out outputs/tuy-an
  reportkit build data/campaigns/wtisd-2021-phu-yen -p number=5 -p issued_on=2021-05-07
  reportkit build --to pdf --out /tmp/outputs
  reportkit validate data/campaigns/wtisd-2021-phu-yen
"""


def _parameter(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``; the value is read as YAML (5 is a number, null is None, text stays text)."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    if isinstance(value, dt.date):
        value = value.isoformat()  # papermill passes text; the notebook reads ISO dates
    return name.strip(), value


def _formats(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    from . import __version__
    from .execute import DOCUMENTS, FORMATS

    parser = argparse.ArgumentParser(
        prog="reportkit",
        description="Turn a campaign's data into Decree-30 plans and reports (HTML and PDF).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"reportkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="execute the notebooks and export the documents",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument(
        "campaign", nargs="?", default=SAMPLE_CAMPAIGN, help="campaign folder (default: %(default)s)"
    )
    build.add_argument(
        "--doc", choices=[*DOCUMENTS, "all"], default="all", help="document to build (default: all)"
    )
    build.add_argument(
        "--to",
        type=_formats,
        default=list(FORMATS),
        metavar="FORMATS",
        help=f"comma-separated formats besides the notebook (default: {','.join(FORMATS)})",
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
    build.add_argument("--out", default="outputs", help="output folder (default: %(default)s)")

    validate = commands.add_parser("validate", help="check a campaign folder and list every problem")
    validate.add_argument("campaign", help="campaign folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reportkit`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        return _validate(args)
    except ReportkitError as error:
        print(f"reportkit: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("reportkit: interrupted; earlier outputs are unchanged", file=sys.stderr)
        return 130


def _build(args: argparse.Namespace) -> int:
    from .execute import DOCUMENTS, build

    if args.doc == "all":
        from .campaign import load_campaign

        # A campaign with no results yet has a plan to build, and no report.
        docs = DOCUMENTS if load_campaign(args.campaign).has_results else ("plan",)
    else:
        docs = (args.doc,)
    parameters = dict(args.parameters)
    result = build(args.campaign, docs=docs, to=args.to, parameters=parameters, out=args.out)
    for doc, files in result.files.items():
        listed = ", ".join(str(f) for f in files)
        print(f"{doc}: {listed}")
    print(f"built in {result.seconds:.1f} s")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .campaign import load_campaign

    campaign = load_campaign(args.campaign)
    print(f"{Path(args.campaign)}: campaign '{campaign.id}' is valid ({len(campaign.budget)} budget lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
