"""The ``reportkit`` command: parse the arguments, make one library call, report.

Errors that reportkit raises on purpose print as one message and exit with code 2; the
traceback is for bugs only. Heavy libraries (pandas, papermill, WeasyPrint) are imported
only by the commands that need them, so a rebuild with nothing to do returns at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .exceptions import FileSystemError, ParameterError, ReportkitError
from .i18n import LANGUAGES, N_, _, ngettext, set_language, translate_argparse
from .outputs import FORMATS  # light: imports nothing heavy

__all__ = ["main"]

SAMPLE_CAMPAIGN = "data/campaigns/wtisd-2021-phu-yen"

EPILOG = N_("""examples:
  reportkit build                                  # the sample campaign's plan and report, HTML and PDF
  reportkit build data/campaigns/wtisd-2021-phu-yen --doc plan -p number=5 -p issued_on=2021-05-07
  reportkit build --doc report -p as_of=2021-05-20 --out outputs/interim
  reportkit build --params-file params.yaml --to pdf --force
  reportkit validate data/campaigns/wtisd-2021-phu-yen
  reportkit params report
  reportkit build data/campaigns/wtisd-2021-bo-tttt --doc consolidated -p sources=outputs/agencies
  reportkit build CAMPAIGN --doc notice --notebooks my-notebooks   # a document of your own
  reportkit new data/campaigns/wtisd-2021-phu-yen --id wtisd-2022-phu-yen --year 2022
  reportkit batch data/campaigns/wtisd-2021-phu-yen --doc report --each district --jobs 2
  reportkit batch --grid runs.csv --doc report
  reportkit batch --doc report --each district --cluster tcp://127.0.0.1:8786

parameters: the notebook's defaults, then --params-file (YAML; a section per document, plan:
or report:, over its common values), then each -p; the last wins.
exit codes: 0 done, 1 a batch had failing runs, 2 bad input (one message says what and where),
130 interrupted (Ctrl-C; the earlier outputs stay).
""")


def _parameter(text: str) -> tuple[str, Any]:
    """``NAME=VALUE``; the value is read as YAML (5 is a number, null is None, text stays text)."""
    import yaml

    name, sep, raw = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(_("expected NAME=VALUE, got {text}").format(text=repr(text)))
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except (yaml.YAMLError, ValueError):  # ValueError: a date-shaped value such as 2022-02-30
        value = raw
    if isinstance(value, dict | list):
        value = raw  # a parameter is a scalar; keep what was typed
    return name.strip(), value


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value}: a date as YYYY-MM-DD, e.g. 2022-10-10").format(value=repr(text))
        ) from None


def _formats(text: str) -> list[str]:
    formats = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            _("formats are {formats}; got {text}").format(formats=", ".join(FORMATS), text=repr(text))
        )
    return formats


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        type=_formats,
        default=list(FORMATS),
        metavar=_("FORMATS"),
        help=_("comma-separated formats besides the notebook (default: {formats})").format(
            formats=",".join(FORMATS)
        ),
    )
    parser.add_argument(
        "--out", default="outputs", metavar=_("FOLDER"), help=_("output folder (default: %(default)s)")
    )
    parser.add_argument("--force", action="store_true", help=_("rebuild even when nothing changed"))
    parser.add_argument("--quiet", action="store_true", help=_("no progress bar, no summary"))


def _add_lang_option(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """``--lang``: read by :func:`main` before the parser is made, so --help is in that language too."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        # on a subcommand, an absent --lang must not hide the one given before the subcommand
        default=None if top else argparse.SUPPRESS,
        help=_("language of the messages (default: from REPORTKIT_LANG, LC_ALL, LC_MESSAGES or LANG)"),
    )


def _add_notebooks_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help=_(
            "a folder of document notebooks, searched before the project's notebooks/ "
            "(also REPORTKIT_NOTEBOOKS)"
        ),
    )


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="reportkit",
        description=_("Turn a campaign's data into Decree-30 plans and reports (notebook, HTML, PDF)."),
        epilog=_(EPILOG),
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"reportkit {__version__}")
    _add_lang_option(parser, top=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("COMMAND"))

    build = commands.add_parser(
        "build",
        help=_("execute the notebooks and export the documents"),
        epilog=_(EPILOG),
        formatter_class=formatter,
        description=_(
            "Build the plan and the report of a campaign into <out>/<campaign id>/. "
            "Documents whose inputs did not change are reused."
        ),
    )
    build.add_argument(
        "campaign", nargs="?", default=SAMPLE_CAMPAIGN, help=_("campaign folder (default: %(default)s)")
    )
    build.add_argument(
        "--doc",
        default="all",
        metavar="NAME",
        help=_(
            "document to build: the name of a notebook (plan, report, consolidated, or one of yours); "
            "all: those campaign.yaml has a section for (default)"
        ),
    )
    build.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        type=_parameter,
        action="append",
        default=[],
        metavar=_("NAME=VALUE"),
        help=_("a notebook parameter; repeat for more (values read as YAML)"),
    )
    build.add_argument(
        "--params-file",
        metavar=_("FILE.yaml"),
        help=_("notebook parameters from a YAML mapping; a document's own under its name (plan:, report:)"),
    )
    _add_notebooks_option(build)
    _add_output_options(build)

    validate = commands.add_parser(
        "validate",
        help=_("check a campaign folder and list every problem"),
        description=_("Check campaign.yaml and every table; list each problem with file, row and column."),
    )
    validate.add_argument("campaign", help=_("campaign folder"))

    params = commands.add_parser(
        "params",
        help=_("list a notebook's parameters, their types, defaults and help"),
        description=_("List the parameters a notebook takes, as -p NAME=VALUE or in --params-file."),
    )
    params.add_argument(
        "doc", nargs="?", default=None, metavar="NAME", help=_("a document (default: every one found)")
    )
    _add_notebooks_option(params)

    new = commands.add_parser(
        "new",
        help=_("start a campaign's folder from an earlier one, or a blank one for any event"),
        formatter_class=formatter,
        description=_(
            "Copy a campaign for a new year or another event: every date moves with the event, "
            "numbers and days of issue are blanked, activities and report dates emptied, the "
            "report's text on results left to write, the budget kept as a starting point; the "
            "lines that still name the earlier event, date, year or theme are listed. With "
            "--blank, a skeleton for any event whose every part to write is a [[placeholder]]."
        ),
        epilog=_("examples:")
        + "\n  reportkit new data/campaigns/wtisd-2021-phu-yen --id wtisd-2022-phu-yen --year 2022"
        + "\n  reportkit new data/campaigns/wtisd-2021-phu-yen --id cds-2022-phu-yen "
        + '--event "Ngày Chuyển đổi số quốc gia" --event-date 2022-10-10'
        + '\n  reportkit new --blank --id cds-2022-phu-yen --event "Ngày Chuyển đổi số quốc gia" '
        + "--event-date 2022-10-10 --dest data/campaigns",
    )
    new.add_argument("source", nargs="?", help=_("the earlier campaign's folder (not with --blank)"))
    new.add_argument("--id", required=True, help=_("the new campaign's id, also its folder's name"))
    new.add_argument("--year", type=int, metavar=_("YEAR"), help=_("the new campaign's year"))
    new.add_argument("--event", metavar=_("NAME"), help=_("another event's name"))
    new.add_argument(
        "--event-date",
        type=_date,
        metavar=_("DATE"),
        help=_("the event's day, YYYY-MM-DD: dates move with it"),
    )
    new.add_argument("--theme", metavar=_("THEME"), help=_("the new year's theme"))
    new.add_argument(
        "--blank", action="store_true", help=_("a skeleton for any event (--event and --event-date)")
    )
    new.add_argument("--dest", metavar=_("FOLDER"), help=_("folder to create it in (default: beside SOURCE)"))

    batch = commands.add_parser(
        "batch",
        help=_("one document per district, or per row of a grid, in parallel"),
        formatter_class=formatter,
        description=_(
            "Build one document per district (--each district) or per row of a CSV grid whose "
            "header names parameters (--grid). Each run writes to <out>/<campaign id>/<doc>-<slug>/."
        ),
        epilog=_(
            "examples:\n  reportkit batch data/campaigns/wtisd-2021-phu-yen --each district --jobs 2\n"
            "  reportkit batch --grid runs.csv    # runs.csv: district,as_of\\nHuyện Tuy An,2021-05-20"
        ),
    )
    batch.add_argument(
        "campaign", nargs="?", default=SAMPLE_CAMPAIGN, help=_("campaign folder (default: %(default)s)")
    )
    batch.add_argument(
        "--doc", default="report", metavar="NAME", help=_("document to build (default: %(default)s)")
    )
    _add_notebooks_option(batch)
    how = batch.add_mutually_exclusive_group(required=True)
    how.add_argument("--each", choices=["district"], help=_("one run per district of units.csv"))
    how.add_argument("--grid", metavar=_("FILE.csv"), help=_("one run per row; the header names parameters"))
    batch.add_argument("--jobs", type=int, default=1, metavar="N", help=_("runs at once (default: 1)"))
    _add_cluster_options(batch)
    _add_output_options(batch)
    _add_lab_command(commands)
    _add_sign_command(commands)
    _add_verify_command(commands)
    _add_edxml_command(commands)
    _add_package_command(commands)
    _add_forms_command(commands)
    _add_collect_command(commands)
    return parser


def _lang_everywhere(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``parser`` with ``--lang`` on every subcommand, however it was added."""
    for action in parser._actions:  # argparse keeps the subcommands' action there
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                _add_lang_option(command)
    return parser


def _add_sign_command(commands) -> None:
    from .i18n import _

    sign = commands.add_parser(
        "sign",
        help=_("sign a document's PDF as its signer or as the agency (PAdES)"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Sign a PDF made by reportkit build. The signer's image goes between the signing "
            "authority and the name; the agency's seal over the left third of it. Each signature "
            "is an incremental update: earlier ones stay valid. The passphrase or PIN is asked "
            "for, or read from the environment variable named by --pass-env; never from the "
            "command line."
        ),
        epilog=_(
            "examples:\n"
            "  reportkit sign plan.pdf --role signer --p12 signer.p12 --image signature.png\n"
            "  reportkit sign plan.signed.pdf --role agency --p12 agency.p12 --image seal.png "
            "--tsa http://tsa.example/\n"
            "  reportkit sign plan.pdf --role signer --pkcs11-lib /usr/lib/x.so --token TOKEN --key KEY"
        ),
    )
    sign.add_argument("pdf", metavar="PDF", help=_("the PDF to sign"))
    sign.add_argument("--role", required=True, choices=["signer", "agency"], help=_("who signs"))
    keys = sign.add_mutually_exclusive_group(required=True)
    keys.add_argument("--p12", metavar="FILE", help=_("key and certificate in a PKCS#12 file"))
    keys.add_argument("--pkcs11-lib", metavar="PATH", help=_("the token's PKCS#11 library"))
    sign.add_argument("--token", metavar="LABEL", help=_("the token's label (with --pkcs11-lib)"))
    sign.add_argument(
        "--key", metavar="LABEL", help=_("the key's and certificate's label (with --pkcs11-lib)")
    )
    sign.add_argument(
        "--pass-env", metavar="NAME", help=_("environment variable holding the passphrase or PIN")
    )
    sign.add_argument("--image", metavar="PNG", help=_("transparent PNG: the signature, or the seal"))
    sign.add_argument("--tsa", metavar="URL", help=_("timestamp authority (RFC 3161), needed from B-T up"))
    sign.add_argument(
        "--level",
        choices=["b-b", "b-t", "b-lt", "b-lta"],
        help=_(
            "PAdES level: b-b; b-t adds a signature timestamp; b-lt also embeds the chain and its "
            "OCSP responses or CRLs; b-lta also a document timestamp, for archives (default: b-t "
            "with --tsa, else b-b)"
        ),
    )
    sign.add_argument(
        "--scheme",
        choices=["pss", "pkcs1v15"],
        default="pss",
        help=_(
            "RSA signature scheme: pss (RSASSA-PSS with SHA-256, as the 2025 rules ask) or "
            "pkcs1v15 (for systems that cannot read PSS); ECDSA keys ignore it (default: %(default)s)"
        ),
    )
    sign.add_argument(
        "--trust", metavar="ROOT.pem", help=_("root certificates ending the chain embedded by b-lt and b-lta")
    )
    sign.add_argument("--output", metavar="FILE", help=_("signed copy (default: NAME.signed.pdf beside PDF)"))


def _add_lab_command(commands) -> None:
    lab = commands.add_parser(
        "lab",
        help=_("JupyterLab on working copies of the notebooks (work/), on 127.0.0.1"),
        description=_(
            "Copy the notebooks into work/ (once; your copies are kept), then start JupyterLab "
            "on 127.0.0.1 at the project, opening work/. The templates that reportkit build runs "
            "stay as they are; build from your copies with --notebooks work."
        ),
    )
    lab.add_argument("--port", type=int, default=8888, help=_("port (default: %(default)s)"))
    lab.add_argument("--no-browser", action="store_true", help=_("do not open a web browser"))
    lab.add_argument(
        "--adopt",
        metavar="NAME",
        help=_("instead: take the notebook of document NAME, as it is now, as its template"),
    )


def _add_package_command(commands) -> None:
    from .i18n import _

    package = commands.add_parser(
        "package",
        help=_("zip the report, its evidence, an index and a manifest, to send by mail"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Make the zip to send: the report's PDF (the signed copy when there is one) and .docx, "
            "the evidence photos scaled for mail, the videos that fit under --max-mb (the others "
            "listed with sizes and SHA-256), index.csv and manifest.json. The same inputs give the "
            "same zip."
        ),
        epilog=_("example:\n  reportkit package data/campaigns/wtisd-2021-phu-yen --max-mb 25"),
    )
    package.add_argument("campaign", help=_("campaign folder"))
    package.add_argument("--out", metavar="FILE.zip", help=_("the zip (default: <built>/<id>/<id>.zip)"))
    package.add_argument("--max-mb", type=float, metavar="N", help=_("size limit in MB (10^6 bytes)"))
    package.add_argument(
        "--built", default="outputs", metavar="DIR", help=_("where reportkit build wrote (default: outputs)")
    )


def _add_verify_command(commands) -> None:
    from .i18n import _

    verify = commands.add_parser(
        "verify",
        help=_("check every signature of a PDF"),
        description=_(
            "List each signature (role, signer, time, intact, valid, trusted) and what changed after "
            "it. Exit 0 only when all are intact, valid and trusted (--trust), 1 when one is not, "
            "3 when they are intact and valid but trust was not checked (no --trust)."
        ),
    )
    verify.add_argument("pdf", metavar="PDF", help=_("the signed PDF"))
    verify.add_argument("--trust", metavar="ROOT.pem", help=_("trusted root certificates (PEM)"))
    verify.add_argument(
        "--at",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        help=_("judge whether each signature validates offline at this date, as an archive would"),
    )


def _add_edxml_command(commands) -> None:
    from .i18n import _

    edxml = commands.add_parser(
        "edxml",
        help=_("write a signed document as an edXML message (QCVN 102:2016), or read one"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Write the edXML message that sends a signed, numbered PDF to other agencies' "
            "document management systems (the national document axis), signed with the "
            "agency's key; its header comes from the PDF's own Decree 30 metadata. With --read, "
            "check an incoming message's XML signature, show its header and (--extract) its files."
        ),
        epilog=_(
            "examples:\n  reportkit edxml plan.signed.pdf --to 000.00.00.G12 --p12 agency.p12\n"
            "  reportkit edxml --read incoming.edxml --extract incoming/"
        ),
    )
    edxml.add_argument("pdf", nargs="?", metavar="SIGNED.pdf", help=_("the signed PDF to send"))
    edxml.add_argument(
        "--to",
        action="append",
        default=[],
        metavar="ORGAN_ID",
        help=_("a receiving agency's code (repeatable)"),
    )
    keys = edxml.add_mutually_exclusive_group()
    keys.add_argument("--p12", metavar="FILE", help=_("the agency's key and certificate in a PKCS#12 file"))
    keys.add_argument("--pkcs11-lib", metavar="PATH", help=_("the token's PKCS#11 library"))
    edxml.add_argument("--token", metavar="LABEL", help=_("the token's label (with --pkcs11-lib)"))
    edxml.add_argument(
        "--key", metavar="LABEL", help=_("the key's and certificate's label (with --pkcs11-lib)")
    )
    edxml.add_argument(
        "--pass-env", metavar="NAME", help=_("environment variable holding the passphrase or PIN")
    )
    edxml.add_argument("--with-docx", action="store_true", help=_("also attach the Word file beside the PDF"))
    edxml.add_argument("--out", metavar="FILE", help=_("the message (default: NAME.edxml beside the PDF)"))
    edxml.add_argument("--read", metavar="FILE.edxml", help=_("read an incoming message instead"))
    edxml.add_argument("--extract", metavar="DIR", help=_("with --read: write its attachments here"))
    edxml.add_argument("--trust", metavar="ROOT.pem", help=_("with --read: trusted root certificates (PEM)"))


def _add_forms_command(commands) -> None:
    from .i18n import _

    forms = commands.add_parser(
        "forms",
        help=_("write one form (.xlsx) per target unit for it to report its results"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Write <out>/<campaign id>/forms/<unit_id>.xlsx for every target unit of units.csv, in "
            "Vietnamese, and record each form's token in the campaign's forms.csv."
        ),
        epilog=_("example:\n  reportkit forms data/campaigns/wtisd-2021-phu-yen --out outputs"),
    )
    forms.add_argument("campaign", help=_("campaign folder"))
    forms.add_argument("--out", default="outputs", help=_("output folder (default: %(default)s)"))


def _add_collect_command(commands) -> None:
    from .i18n import _

    collect = commands.add_parser(
        "collect",
        help=_("take the returned forms into the campaign's activities and units"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_(
            "Read returned forms (.xlsx or .ods; files, or folders as they came by email), check every "
            "cell, and write the campaign's activities.csv, the units' reported_on and the evidence "
            "sent beside the forms. Nothing is written if any form has a problem, unless --partial."
        ),
        epilog=_(
            "examples:\n"
            "  reportkit collect data/campaigns/wtisd-2021-phu-yen returns/\n"
            "  reportkit collect data/campaigns/wtisd-2021-phu-yen mail/*.xlsx --partial\n"
            "exit codes: 0 all taken in, 1 --partial refused some forms, 2 nothing written."
        ),
    )
    collect.add_argument("campaign", help=_("campaign folder"))
    collect.add_argument("returns", nargs="+", help=_("returned forms, or folders holding them"))
    collect.add_argument(
        "--partial", action="store_true", help=_("take in the good forms and list the others")
    )


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
    _utf8_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = _lang_argument(argv)
    if lang is not None:
        set_language(lang)
    translate_argparse()
    args = _lang_everywhere(_parser()).parse_args(argv)
    handlers = {
        "build": _build,
        "validate": _validate,
        "params": _params,
        "new": _new,
        "batch": _batch,
        "lab": _lab,
        "sign": _sign,
        "verify": _verify,
        "edxml": _edxml,
        "package": _package,
        "forms": _forms,
        "collect": _collect,
    }
    try:
        code = handlers[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:  # `reportkit … | head`: the reader has all it wants
        _stdout_to_devnull()
        return 0
    except (ReportkitError, OSError) as error:
        error = error if isinstance(error, ReportkitError) else FileSystemError(error)
        print(_("reportkit: error: {error}").format(error=error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_("reportkit: interrupted; earlier outputs are unchanged"), file=sys.stderr)
        return 130


def _stdout_to_devnull() -> None:
    """Point standard output at the null device, so that nothing more is written to a closed pipe."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):  # ValueError: no file descriptor behind stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _utf8_streams() -> None:
    """Write Vietnamese whatever the console: Windows gives a redirected stream its ANSI code
    page (cp1252, cp1258), which cannot encode every Vietnamese letter."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            stream.reconfigure(encoding="utf-8")


def _lang_argument(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang`` in ``argv``, looked for before parsing so that the
    parser's help and errors are made in that language; an unknown value is left to argparse."""
    found = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value in LANGUAGES:
            found = value
    return found


def _show_progress(args: argparse.Namespace) -> bool:
    return not args.quiet and sys.stderr.isatty()


def _build(args: argparse.Namespace) -> int:
    from .execute import build
    from .parameters import merge_given, read_params_file
    from .vn import message_number

    from_file = read_params_file(args.params_file) if args.params_file else {}
    parameters = merge_given(from_file, dict(args.parameters))
    if args.doc == "all":
        from .documents import default_documents, find_documents

        docs = default_documents(Path(args.campaign), find_documents(args.notebooks))
    else:
        docs = [args.doc]
    result = build(
        args.campaign,
        docs=docs,
        to=args.to,
        parameters=parameters,
        out=args.out,
        force=args.force,
        progress=_show_progress(args),
        notebooks=args.notebooks,
    )
    if not args.quiet:
        for doc, files in result.files.items():
            if doc in result.reused:
                line = _("{doc} (unchanged, reused): {files}")
            else:
                line = _("{doc} (built): {files}")
            print(line.format(doc=doc, files=", ".join(str(f) for f in files)))
        print(_("done in {seconds} s").format(seconds=message_number(result.seconds)))
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .campaign import load_campaign
    from .placeholders import check_written

    campaign = load_campaign(args.campaign)
    check_written(campaign.unwritten)  # every placeholder still to write, exit 2
    budget, units, activities = campaign.budget, campaign.units, campaign.activities
    counts = []
    if budget is not None:
        lines = ngettext("{count} budget line", "{count} budget lines", len(budget))
        counts.append(lines.format(count=len(budget)))
    if units is not None:
        counts += [
            ngettext("{count} unit", "{count} units", len(units)).format(count=len(units)),
            ngettext("{count} activity", "{count} activities", len(activities)).format(count=len(activities)),
        ]
    print(
        _("{folder}: campaign '{id}' is valid ({counts})").format(
            folder=Path(args.campaign), id=campaign.id, counts=", ".join(counts) or _("no tables")
        )
    )
    return 0


def _params(args: argparse.Namespace) -> int:
    from .documents import find_document, find_documents
    from .parameters import notebook_parameters

    for doc in [args.doc] if args.doc else find_documents(args.notebooks):
        path = find_document(doc, args.notebooks).path
        print(_("{doc} ({path}):").format(doc=doc, path=path))
        for p in notebook_parameters(path).values():
            line = f"  {p.name}: {p.type} = {p.default}"
            if p.name == "campaign":
                line = _("{line} (set by reportkit build from CAMPAIGN)").format(line=line)
            print(line)
            if p.help:
                print(f"      {_(p.help)}")
    return 0


def _new(args: argparse.Namespace) -> int:
    dest = Path(args.dest) if args.dest else None
    if args.blank:
        from .skeleton import blank_campaign

        if args.source or not (args.event and args.event_date):
            raise ParameterError("--blank", _("give --event and --event-date, and no SOURCE folder"))
        made = blank_campaign(args.id, args.event, args.event_date, dest or Path("."))
        print(_("{folder}: a skeleton to write").format(folder=made.folder))
        print(_("write these placeholders ('reportkit validate' lists those left):"))
    else:
        from .scaffold import new_campaign

        if not args.source:
            raise ParameterError("source", _("the earlier campaign's folder, or --blank"))
        made = new_campaign(
            Path(args.source),
            args.id,
            args.year,
            theme=args.theme,
            parent=dest,
            event=args.event,
            event_date=args.event_date,
        )
        print(
            _("{folder}: ready to edit (campaign.yaml, budget, units; activities empty)").format(
                folder=made.folder
            )
        )
        if made.to_review:
            print(_("these lines still name the earlier event, its date, year or theme; check them:"))
    for line in made.to_review:
        print(f"  {line}")
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
        notebooks=args.notebooks,
        cluster=args.cluster,
        scheduler_file=args.scheduler_file,
        retries=args.retries,
    )
    failed = [outcome for outcome in outcomes.values() if not outcome.ok]
    if not args.quiet or failed:
        for outcome in outcomes.values():
            print(outcome.line(), file=sys.stdout if outcome.ok else sys.stderr)
    return 1 if failed else 0


def _lab(args: argparse.Namespace) -> int:
    from .lab import adopt, run_lab

    if args.adopt:
        print(_("{notebook}: adopted as the template").format(notebook=adopt(args.adopt)))
    else:
        run_lab(port=args.port, browser=not args.no_browser)
    return 0


def _sign(args: argparse.Namespace) -> int:
    from .i18n import _
    from .outputs import check_signable
    from .signing import KeySource, sign_pdf

    if args.pkcs11_lib and not (args.token and args.key):
        raise ReportkitError(_("--pkcs11-lib needs --token and --key"))
    key = KeySource(
        p12=Path(args.p12) if args.p12 else None,
        pkcs11_lib=Path(args.pkcs11_lib) if args.pkcs11_lib else None,
        token=args.token,
        key=args.key,
        pass_env=args.pass_env,
    )
    check_signable(args.pdf)  # a PDF left by an earlier build, or built from changed inputs
    signed = sign_pdf(
        args.pdf, args.role, key, output=args.output, image=args.image, tsa=args.tsa,
        level=args.level, scheme=args.scheme, trust=args.trust,
    )  # fmt: skip
    print(
        _("{output}: signed as {role} (field {field}, {level}, {scheme})").format(
            output=signed.output,
            role=signed.role,
            field=signed.field,
            level="PAdES " + signed.level.upper(),
            scheme={"rsassa_pss": "RSASSA-PSS", "sha256_rsa": "PKCS#1 v1.5", "sha256_ecdsa": "ECDSA"}.get(
                signed.algorithm, signed.algorithm
            ),
        )
    )
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .verification import verify_pdf

    at = dt.datetime.combine(args.at, dt.time(12), dt.UTC) if args.at else None
    verification = verify_pdf(args.pdf, trust=args.trust, at=at)
    for line in verification.lines():
        print(line)
    return verification.exit_code


def _edxml(args: argparse.Namespace) -> int:
    from .i18n import _
    from .signing import KeySource

    if args.read:
        from .edxml_read import read_edxml

        incoming = read_edxml(args.read, trust=args.trust, extract=args.extract)
        for line in incoming.lines():
            print(line)
        return 0 if incoming.trusted else 3  # as verify: trust not checked is not a pass
    from .edxml import write_edxml

    if not args.pdf or not (args.p12 or args.pkcs11_lib):
        raise ReportkitError(
            _("give SIGNED.pdf and the agency's key (--p12 FILE or --pkcs11-lib …), or --read FILE")
        )
    if args.pkcs11_lib and not (args.token and args.key):
        raise ReportkitError(_("--pkcs11-lib needs --token and --key"))
    key = KeySource(
        p12=Path(args.p12) if args.p12 else None,
        pkcs11_lib=Path(args.pkcs11_lib) if args.pkcs11_lib else None,
        token=args.token,
        key=args.key,
        pass_env=args.pass_env,
    )
    written = write_edxml(args.pdf, key, to=tuple(args.to), with_docx=args.with_docx, output=args.out)
    print(
        _("{output}: edXML message {id} to {to} ({files})").format(
            output=written.output,
            id=written.document_id,
            to=", ".join(written.to),
            files=", ".join(written.attachments),
        )
    )
    return 0


def _package(args: argparse.Namespace) -> int:
    from .i18n import _
    from .package import MB, make_package
    from .vn import message_number

    made = make_package(args.campaign, built=args.built, out=args.out, max_mb=args.max_mb)
    print(
        _("{path}: {count} files, {size} MB").format(
            path=made.path, count=made.entries, size=message_number(made.size / MB)
        )
    )
    for listed in made.listed_videos:
        print(
            _("  not included (too big for the limit, listed in index.csv): {file}, {size} MB").format(
                file=listed.source, size=message_number(listed.size / MB)
            )
        )
    return 0


def _forms(args: argparse.Namespace) -> int:
    from .forms import issue_forms
    from .i18n import _

    issued = issue_forms(args.campaign, out=args.out)
    print(
        _("{folder}: {n} forms; tokens in {register} ({new} new)").format(
            folder=issued.folder, n=len(issued.forms), register=issued.register, new=issued.new_tokens
        )
    )
    return 0


def _collect(args: argparse.Namespace) -> int:
    from .collect import collect_returns, summary_lines

    result = collect_returns(args.campaign, args.returns, partial=args.partial)
    print("\n".join(summary_lines(result)))
    return 1 if result.refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
