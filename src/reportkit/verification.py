"""``reportkit verify``: every signature of a PDF checked with pyHanko's validator, offline.

For each signature: its role, signer and who issued the certificate, the time, the PAdES level,
whether it is intact, valid and (given roots) trusted, whether it can be validated with no
network (its chain and revocation data in the document, timestamps that hold at the time
asked), and what the file gained after it, with the pages touched. Without trust roots the
report says that trust was not checked, and never that the signatures hold. Signing is
:mod:`reportkit.signing`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, _
from .metadata import DocumentMetadata, read_metadata
from .signing import FIELD_NAMES, SigningError, _quiet_libraries, _read_roots

__all__ = ["SignatureCheck", "Verification", "verify_pdf"]

#: Exit codes of ``reportkit verify``: all hold; something fails; intact and valid but trust
#: was not checked (no ``--trust``).
EXIT_OK, EXIT_FAILED, EXIT_UNTRUSTED = 0, 1, 3


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF as the validator found it."""

    field: str
    role: str
    signer: str
    issuer: str
    signed_at: str
    timestamped: bool
    #: PAdES baseline level: ``B-B``, ``B-T``, ``B-LT`` or ``B-LTA``.
    level: str
    intact: bool
    valid: bool
    #: ``None``: not judged (no trust roots given).
    trusted: bool | None
    #: Validates with no network at the time asked; ``None``: not judged (no trust roots).
    long_term: bool | None
    #: What changed in the file after this signature, and whether the signature allows it.
    changes: str
    changes_allowed: bool
    #: ``none``, ``validation`` (DSS and timestamps only), ``signatures`` (later signatures
    #: or form filling), ``annotations``, ``content``, ``unaccounted`` or ``digest``.
    change_kind: str = "none"

    @property
    def holds(self) -> bool:
        """Intact, valid, and nothing it does not allow changed after it (trust aside)."""
        return self.intact and self.valid and self.changes_allowed


@dataclass(frozen=True)
class Verification:
    """Every signature of a PDF, checked.

    ``ok`` only when trust was checked and every signature is intact, valid, trusted, allowed
    the changes made after it, and (when a time was asked) validates offline at that time.
    """

    file: Path
    signatures: tuple[SignatureCheck, ...]
    trust_checked: bool
    at: dt.datetime | None = None
    #: Decree 30's fields from the file's XMP (:mod:`reportkit.metadata`), if it has them.
    metadata: DocumentMetadata | None = None

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK

    @property
    def exit_code(self) -> int:
        if not self.signatures or not all(s.holds for s in self.signatures):
            return EXIT_FAILED
        if not self.trust_checked:
            return EXIT_UNTRUSTED
        if not all(s.trusted for s in self.signatures):
            return EXIT_FAILED
        if self.at is not None and not all(s.long_term for s in self.signatures):
            return EXIT_FAILED
        return EXIT_OK

    def lines(self) -> list[str]:
        """The report a person reads, one line per signature and a verdict."""
        if not self.signatures:
            return [_("{file}: no signatures").format(file=self.file)]
        yes, no = _("yes"), _("NO")
        when = (self.at or dt.datetime.now(_VIETNAM)).astimezone(_VIETNAM).date().isoformat()
        lines = []
        for s in self.signatures:
            if s.trusted is None:
                trusted = _(", trust NOT checked (no --trust)")
            else:
                trusted = _(", trusted: {v}").format(v=yes if s.trusted else no)
            offline = (
                _("not judged without --trust")
                if s.long_term is None
                else _("{verdict} (as of {date})").format(verdict=yes if s.long_term else no, date=when)
            )
            lines.append(
                _(
                    "{field} ({role}): {signer}, certificate issued by {issuer}; signed {time}{stamp}; "
                    "PAdES {level}; intact: {intact}, valid: {valid}{trusted}; validates offline: "
                    "{offline}; after it: {changes}"
                ).format(
                    field=s.field,
                    role=_(_ROLE_WORDS.get(s.role, s.role)),
                    signer=s.signer,
                    issuer=s.issuer,
                    time=s.signed_at,
                    stamp=_(" (timestamped)") if s.timestamped else "",
                    level=s.level,
                    intact=yes if s.intact else no,
                    valid=yes if s.valid else no,
                    trusted=trusted,
                    offline=offline,
                    changes=s.changes,
                )
            )
        if self.metadata is not None:
            lines.append(_("Decree 30 metadata: {fields}").format(fields=_metadata_words(self.metadata)))
        code = self.exit_code
        if code == EXIT_OK:
            lines.append(_("{file}: all signatures hold").format(file=self.file))
        elif code == EXIT_UNTRUSTED:
            lines.append(
                _(
                    "{file}: intact and valid, but trust was NOT checked: anyone can make a "
                    "certificate with any name; give the issuing CA's root with --trust ROOT.pem"
                ).format(file=self.file)
            )
        else:
            lines.append(_("{file}: NOT valid").format(file=self.file))
        return lines


_ROLE_WORDS = {"signer": N_("signer"), "agency": N_("agency"), "other": N_("other")}


def _metadata_words(metadata: DocumentMetadata) -> str:
    """``Name=value`` for each field present, structures flattened: one line to read."""
    words = []
    for name, value in metadata.as_dict().items():
        if isinstance(value, dict):
            value = " ".join(v for v in value.values() if v)
        elif isinstance(value, list):
            value = " | ".join(
                " ".join(filter(None, v.values())) if isinstance(v, dict) else str(v) for v in value
            )
        if value not in (None, ""):
            words.append(f"{name}={value}")
    return "; ".join(words)


def verify_pdf(
    pdf: Path | str, trust: Path | str | None = None, at: dt.datetime | None = None
) -> Verification:
    """Check every signature of ``pdf`` with pyHanko's validator, offline.

    Parameters
    ----------
    pdf
        The signed PDF.
    trust
        A PEM file of root certificates; without it trust is not judged, and the verdict says so.
    at
        When to judge the long-term check (default: now): whether each signature validates
        with only what the file holds, as an archive would at that time, after its
        certificates may have expired. Needs ``trust``.

    Changes made after a signature are judged by pyHanko's difference analysis: a later
    signature, validation data, or filling a form field, is allowed; anything else, or bytes
    that belong to no revision, is not; the pages whose content or annotations changed are
    named.
    """
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _quiet_libraries()
    pdf = Path(pdf)
    roots = _read_roots(Path(trust)) if trust else []
    try:
        data = pdf.read_bytes()
    except OSError as error:
        raise SigningError(pdf, error.strerror or str(error)) from None
    checks = []
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        last_revision = reader.xrefs.total_revisions - 1
        for embedded in reader.embedded_regular_signatures:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(embedded, context, ts_validation_context=context)
            long_term = _long_term(reader, embedded, status, roots, at) if roots else None
            checks.append(_check(reader, data, embedded, status, bool(roots), long_term, last_revision))
    except (PdfReadError, ValueError) as error:
        raise SigningError(pdf, _("cannot read it as a PDF: {error}").format(error=error)) from None
    return Verification(pdf, tuple(checks), trust_checked=bool(roots), at=at, metadata=read_metadata(data))


def _check(reader, data: bytes, embedded, status, judge_trust: bool, long_term, last_revision: int):
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    field = embedded.field_name
    role = {name: role for role, name in FIELD_NAMES.items()}.get(field, "other")
    when = status.timestamp_validity.timestamp if status.timestamp_validity else status.signer_reported_dt
    coverage, level = status.coverage, status.modification_level
    if not status.intact:
        changes, allowed = _("the signed bytes were changed (its digest no longer matches)"), False
        change_kind = "digest"
    elif coverage == SignatureCoverageLevel.ENTIRE_FILE:
        changes, allowed, change_kind = _("nothing changed"), True, "none"
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION and embedded.signed_revision < last_revision:
        allowed = bool(status.docmdp_ok)
        change_kind = {
            ModificationLevel.LTA_UPDATES: "validation",
            ModificationLevel.FORM_FILLING: "signatures",
            ModificationLevel.ANNOTATIONS: "annotations",
        }.get(level, "content")
        kind = {
            ModificationLevel.LTA_UPDATES: _("validation data and timestamps added"),
            ModificationLevel.FORM_FILLING: _("later signatures or form filling"),
            ModificationLevel.ANNOTATIONS: _("annotations added or changed"),
        }.get(level, _("changes to the content"))
        pages = _changed_pages(data, embedded)
        where = _(" on page {pages}").format(pages=", ".join(map(str, pages))) if pages else ""
        changes = _("{kind}{where} ({verdict})").format(
            kind=kind, where=where, verdict=_("allowed") if allowed else _("NOT allowed")
        )
    else:
        changes, allowed = _("bytes that no revision accounts for (the file was altered)"), False
        change_kind = "unaccounted"
    return SignatureCheck(
        field=field,
        role=role,
        signer=_common_name(status.signing_cert.subject),
        issuer=_common_name(status.signing_cert.issuer),
        signed_at=when.astimezone(_VIETNAM).isoformat(timespec="seconds") if when else "?",
        timestamped=status.timestamp_validity is not None,
        level=_level(reader, embedded, status),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) if judge_trust else None,
        long_term=long_term,
        changes=changes,
        changes_allowed=allowed,
        change_kind=change_kind,
    )


def _dss(reader):
    """The document's DSS, or ``None``."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _later_timestamps(reader, embedded) -> list:
    """The document timestamps added after ``embedded``, oldest first."""
    later = [t for t in reader.embedded_timestamp_signatures if t.signed_revision > embedded.signed_revision]
    return sorted(later, key=lambda t: t.signed_revision)


def _level(reader, embedded, status) -> str:
    """The PAdES baseline level the file gives this signature (ETSI EN 319 142-1, 6)."""
    if status.timestamp_validity is None:
        return "B-B"
    dss = _dss(reader)
    if dss is None or not (list(dss.ocsps) or list(dss.crls)):
        return "B-T"
    return "B-LTA" if _later_timestamps(reader, embedded) else "B-LT"


def _long_term(reader, embedded, status, roots: list, at: dt.datetime | None) -> bool:
    """Whether the signature validates offline at ``at``, from what the file holds.

    The signer's chain must validate at the signature timestamp's time with revocation data
    taken from the DSS only (no fetching; revocation data required). The newest evidence (the
    last document timestamp, else the signature timestamp) must hold at ``at``: that is what
    lets an archive validate the file after the signer's certificate has expired. Its own
    certificate is judged on its chain and validity period only: its revocation status at a
    later time cannot be known offline (an archive adds a new document timestamp before that
    certificate expires).
    """
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

    dss = _dss(reader)
    if status.timestamp_validity is None or dss is None:
        return False
    signed = status.timestamp_validity.timestamp
    at = at or dt.datetime.now(dt.UTC)

    def context(moment: dt.datetime, revocation: str):
        return dss.as_validation_context(
            {"trust_roots": roots, "allow_fetching": False, "revocation_mode": revocation, "moment": moment}
        )

    then = validate_pdf_signature(
        embedded, context(signed, "require"), ts_validation_context=context(signed, "require"), skip_diff=True
    )
    if not (then.intact and then.valid and then.trusted):
        return False
    later = _later_timestamps(reader, embedded)
    if not later:  # B-LT: the signature timestamp itself must still hold
        newest = validate_pdf_signature(
            embedded, context(signed, "require"), ts_validation_context=context(at, "none"), skip_diff=True
        ).timestamp_validity
        return bool(newest and newest.valid and newest.trusted)
    newest = validate_pdf_timestamp(later[-1], context(at, "none"), skip_diff=True)
    return bool(newest.intact and newest.valid and newest.trusted)


def _changed_pages(data: bytes, embedded) -> list[int]:
    """The pages (1-based) whose content or annotations differ between the revision a
    signature covers and the file as it is now."""
    from pypdf import PdfReader

    signed_end = embedded.byte_range[-2] + embedded.byte_range[-1]
    try:
        before, after = PdfReader(io.BytesIO(data[:signed_end])), PdfReader(io.BytesIO(data))
        pages = []
        for number, page in enumerate(after.pages, 1):
            if number > len(before.pages):
                pages.append(number)
                continue
            old = before.pages[number - 1]
            if _page_content(old) != _page_content(page) or _annotations(old) != _annotations(page):
                pages.append(number)
        return pages
    except Exception:  # pypdf fails in many ways on odd files; pyHanko's verdict then stands alone
        return []


def _page_content(page) -> bytes:
    contents = page.get_contents()
    return contents.get_data() if contents is not None else b""


def _annotations(page) -> list:
    """What each annotation is and where, ignoring signature widgets (later signatures)."""
    found = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        parent = annot.get("/Parent")
        parent = parent.get_object() if parent is not None else {}
        if annot.get("/FT") == "/Sig" or parent.get("/FT") == "/Sig":
            continue
        found.append((str(annot.get("/Subtype")), [round(float(v)) for v in annot.get("/Rect", [])]))
    return found


#: Decree 30 gives signing times in Vietnam's time zone.
_VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def _common_name(name) -> str:
    """A certificate name's common name, else the whole name."""
    return name.native.get("common_name") or name.human_friendly
