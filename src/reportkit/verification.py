"""``reportkit verify``: every signature of a PDF checked with pyHanko's validator, offline.

For each signature: its role, signer, time, whether it is intact, valid and (given roots)
trusted, and what the file gained after it; a PDF changed after signing beyond what its
signatures allow fails. Signing is :mod:`reportkit.signing`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, _
from .signing import FIELD_NAMES, SigningError, _quiet_libraries

__all__ = ["SignatureCheck", "Verification", "verify_pdf"]


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF as the validator found it."""

    field: str
    role: str
    signer: str
    signed_at: str
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool | None
    #: What changed in the file after this signature, and whether the signature allows it.
    changes: str
    changes_allowed: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted is not False and self.changes_allowed


@dataclass(frozen=True)
class Verification:
    """Every signature of a PDF, checked; ``ok`` when all are intact, valid, allowed the
    changes made after them, and trusted when trust roots were given."""

    file: Path
    signatures: tuple[SignatureCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def lines(self) -> list[str]:
        """The report a person reads, one line per signature and a verdict."""
        if not self.signatures:
            return [_("{file}: no signatures").format(file=self.file)]
        yes, no = _("yes"), _("NO")
        lines = []
        for s in self.signatures:
            trusted = "" if s.trusted is None else _(", trusted: {v}").format(v=yes if s.trusted else no)
            lines.append(
                _(
                    "{field} ({role}): {signer}; signed {time}{stamp}; intact: {intact}, "
                    "valid: {valid}{trusted}; after it: {changes}"
                ).format(
                    field=s.field,
                    role=_(_ROLE_WORDS.get(s.role, s.role)),
                    signer=s.signer,
                    time=s.signed_at,
                    stamp=_(" (timestamped)") if s.timestamped else "",
                    intact=yes if s.intact else no,
                    valid=yes if s.valid else no,
                    trusted=trusted,
                    changes=s.changes,
                )
            )
        lines.append(
            _("{file}: all signatures hold").format(file=self.file)
            if self.ok
            else _("{file}: NOT valid").format(file=self.file)
        )
        return lines


_ROLE_WORDS = {"signer": N_("signer"), "agency": N_("agency"), "other": N_("other")}


def verify_pdf(pdf: Path | str, trust: Path | str | None = None) -> Verification:
    """Check every signature of ``pdf`` with pyHanko's validator, offline.

    ``trust`` is a PEM file of root certificates; without it ``trusted`` is not judged.
    Changes made after a signature are judged by pyHanko's difference analysis: a later
    signature, or filling a form field, is allowed; anything else, or bytes that belong to no
    revision, is not.
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
        signatures = reader.embedded_signatures
        last_revision = reader.xrefs.total_revisions - 1
        for embedded in signatures:
            context = ValidationContext(trust_roots=roots, allow_fetching=False)
            status = validate_pdf_signature(embedded, context, ts_validation_context=context)
            checks.append(_check(embedded, status, bool(roots), last_revision, len(data)))
    except (PdfReadError, ValueError) as error:
        raise SigningError(pdf, _("cannot read it as a PDF: {error}").format(error=error)) from None
    return Verification(pdf, tuple(checks))


def _check(embedded, status, judge_trust: bool, last_revision: int, size: int) -> SignatureCheck:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    field = embedded.field_name
    role = {name: role for role, name in FIELD_NAMES.items()}.get(field, "other")
    when = status.timestamp_validity.timestamp if status.timestamp_validity else status.signer_reported_dt
    coverage, level = status.coverage, status.modification_level
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        changes, allowed = _("nothing changed"), True
    elif coverage == SignatureCoverageLevel.ENTIRE_REVISION and embedded.signed_revision < last_revision:
        allowed = bool(status.docmdp_ok)
        kind = {
            ModificationLevel.LTA_UPDATES: _("validation data added"),
            ModificationLevel.FORM_FILLING: _("later signatures or form filling"),
        }.get(level, _("changes to the content"))
        changes = _("{kind} ({verdict})").format(
            kind=kind, verdict=_("allowed") if allowed else _("NOT allowed")
        )
    else:
        changes, allowed = _("bytes that no revision accounts for (the file was altered)"), False
    return SignatureCheck(
        field=field,
        role=role,
        signer=_common_name(status.signing_cert),
        signed_at=when.astimezone(_VIETNAM).isoformat(timespec="seconds") if when else "?",
        timestamped=status.timestamp_validity is not None,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) if judge_trust else None,
        changes=changes,
        changes_allowed=allowed,
    )


#: Decree 30 gives signing times in Vietnam's time zone.
_VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


def _common_name(certificate) -> str:
    """The certificate subject's common name, else the whole subject."""
    subject = certificate.subject.native
    return subject.get("common_name") or certificate.subject.human_friendly


def _read_roots(path: Path) -> list:
    from asn1crypto import pem, x509

    try:
        data = path.read_bytes()
    except OSError as error:
        raise SigningError(path, error.strerror or str(error)) from None
    blobs = [der for _kind, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
    try:
        return [x509.Certificate.load(der) for der in blobs]
    except ValueError:
        raise SigningError(path, _("not a PEM or DER certificate file")) from None
