"""The ``reportkit`` command: parse the arguments, make one library call, report.

Errors that reportkit raises on purpose print as one message and exit with code 2; the
traceback is for bugs only. Heavy libraries (pandas, papermill, Typst) are imported
only by the commands that need them, so a rebuild with nothing to do returns at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from .cli_parser import build_parser, lang_everywhere
from .exceptions import FileSystemError, ParameterError, ReportkitError
from .i18n import LANGUAGES, _, ngettext, set_language, translate_argparse

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``reportkit`` command; returns the exit code."""
    _utf8_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = _lang_argument(argv)
    if lang is not None:
        set_language(lang)
    translate_argparse()
    args = lang_everywhere(build_parser()).parse_args(argv)
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
    from .signing import sign_pdf

    key = _key_source(args)
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


def _key_source(args: argparse.Namespace):
    """Where ``sign`` and ``edxml`` find the key: a PKCS#12 file or a token."""
    from .signing import KeySource

    if args.pkcs11_lib and not (args.token and args.key):
        raise ReportkitError(_("--pkcs11-lib needs --token and --key"))
    return KeySource(
        p12=Path(args.p12) if args.p12 else None,
        pkcs11_lib=Path(args.pkcs11_lib) if args.pkcs11_lib else None,
        token=args.token,
        key=args.key,
        pass_env=args.pass_env,
    )


def _verify(args: argparse.Namespace) -> int:
    from .verification import verify_pdf

    at = dt.datetime.combine(args.at, dt.time(12), dt.UTC) if args.at else None
    verification = verify_pdf(args.pdf, trust=args.trust, at=at)
    for line in verification.lines():
        print(line)
    return verification.exit_code


def _edxml(args: argparse.Namespace) -> int:
    from .i18n import _

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
    key = _key_source(args)
    from .outputs import check_signable

    check_signable(args.pdf)  # the document as its inputs are now, not an earlier build's
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
