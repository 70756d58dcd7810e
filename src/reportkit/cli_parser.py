"""The ``reportkit`` command's arguments: one argparse parser, its subcommands and their help.

Every text a user reads here goes through the message catalog (``--lang vi``); the parsers
are built fresh for each run (:func:`build_parser`), after the language is set, so argparse's
own words are in that language too. :mod:`reportkit.cli` parses with it and runs the command.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from .i18n import LANGUAGES, N_, _
from .outputs import FORMATS  # light: imports nothing heavy

__all__ = ["SAMPLE_CAMPAIGN", "build_parser", "lang_everywhere"]

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


def build_parser() -> argparse.ArgumentParser:
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


def lang_everywhere(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
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
