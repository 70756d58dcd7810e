"""Sign a document's PDF as Decree 30 asks, and check the signatures of a signed one.

Decree 30 (Art. 5.1) wants two digital signatures on an electronic document: the signer's
(the person with the authority to sign) and the agency's, applied by the records office when
the document is issued. Appendix I places their images: the signer's (blue, transparent PNG)
centred in the space between the signing authority (``GIÁM ĐỐC``) and the signer's name, the
agency's seal (red, transparent PNG) over about the left third of the signer's image.

The space is found in the PDF itself: the PDF renderer (:mod:`reportkit.document.typst`)
marks the signature block's corners and writes each mark as a named destination with its page
and position, and :func:`signature_space` reads them back. Nothing here assumes where on the
page the block falls.

Signatures are PAdES made by pyHanko, each one an incremental update, so an earlier signature
stays valid. RSA keys sign with RSASSA-PSS and SHA-256 (PKCS#1 v2.1), as public summaries of
Thông tư 15/2025/TT-BKHCN give the 2025 rules; PKCS#1 v1.5 stays available for systems that
cannot read PSS. ECDSA keys sign as ECDSA with SHA-256. The level (ETSI EN 319 142-1):
B-B, B-T (a signature timestamp), B-LT (also the certificate chain and its OCSP responses or
CRLs in the document's DSS) and B-LTA (also a document timestamp over all of it, so that an
archive can validate the file offline after the certificates have expired).

Keys come from a PKCS#12 file or a PKCS#11 token (the civil servant's USB token); the
passphrase or PIN is read from a prompt or from an environment variable, never from the
command line.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import fsio, locking
from .exceptions import ReportkitError
from .i18n import _

__all__ = [
    "FIELD_NAMES",
    "LEVELS",
    "ROLES",
    "SCHEMES",
    "Box",
    "KeySource",
    "Signed",
    "SigningError",
    "document_number",
    "seal_box",
    "sign_pdf",
    "signature_space",
    "signer_box",
]

ROLES = ("signer", "agency")
#: RSA signature schemes: RSASSA-PSS (PKCS#1 v2.1, the default) or PKCS#1 v1.5.
SCHEMES = ("pss", "pkcs1v15")
#: PAdES baseline levels, weakest first.
LEVELS = ("b-b", "b-t", "b-lt", "b-lta")
#: The signature field each role fills; :func:`verify_pdf` reads the role back from it.
FIELD_NAMES = {"signer": "Signer", "agency": "Agency"}
#: Named destinations the PDF renderer writes (see templates/typst/reportkit.typ).
SPACE_TOP, SPACE_RIGHT, NAME_TOP = "rk-sign-space", "rk-sign-space-end", "rk-signer-name"

_MM = 72 / 25.4
#: Without a resolution in the PNG, the images get these heights (the seal's is a common
#: seal's diameter); with one, their own size, shrunk to fit when larger than the space.
_SIGNATURE_HEIGHT = 22 * _MM
_SEAL_HEIGHT = 34 * _MM


class SigningError(ReportkitError):
    """A PDF cannot be signed or checked; ``file`` is the PDF, ``reason`` says why."""

    def __init__(self, file: Path | str, reason: str):
        self.file, self.reason = Path(file), reason
        super().__init__(_("{file}: {reason}").format(file=file, reason=reason))


@dataclass(frozen=True)
class Box:
    """A rectangle on page ``page`` (0-based) in PDF points, the origin at the bottom left."""

    page: int
    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.left), round(self.bottom), round(self.right), round(self.top))


@dataclass(frozen=True)
class KeySource:
    """Where the signing key is: a PKCS#12 file, or a key on a PKCS#11 token.

    ``pass_env`` names the environment variable holding the passphrase or PIN; without it
    the PIN is asked for at the terminal.
    """

    p12: Path | None = None
    pkcs11_lib: Path | None = None
    token: str | None = None
    key: str | None = None
    pass_env: str | None = None


def signature_space(pdf: Path) -> Box:
    """The empty space of the signature block: under the signing authority, above the name.

    Read from the named destinations the document template writes; a PDF without them was
    not made by reportkit's template, and :class:`SigningError` says so.
    """
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    try:
        dests = reader.named_destinations
        top, right, name = (dests[n] for n in (SPACE_TOP, SPACE_RIGHT, NAME_TOP))
    except KeyError:
        raise SigningError(
            pdf,
            _(
                "no signature block found (named destinations {names}); sign a PDF that reportkit build made"
            ).format(names=", ".join((SPACE_TOP, SPACE_RIGHT, NAME_TOP))),
        ) from None
    page = reader.get_destination_page_number(top)
    if reader.get_destination_page_number(name) != page:
        raise SigningError(pdf, _("the signature block is split across two pages"))
    return Box(page, float(top.left), float(name.top), float(right.left), float(top.top))


def _quiet_libraries() -> None:
    """Keep pypdf's and pyHanko's log records off the terminal (Python's last-resort handler).

    They log what reportkit reports itself, in one message: a broken file, an unbuildable
    certification path (with a traceback). An application that configures logging still
    gets them.
    """
    import logging

    for name in ("pypdf", "pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())


def _fit(size: tuple[float, float], box_width: float, box_height: float) -> tuple[float, float]:
    """``size`` shrunk, keeping its proportions, until it fits ``box_width`` × ``box_height``."""
    width, height = size
    scale = min(1.0, box_width / width, box_height / height)
    return width * scale, height * scale


def _image_size(image: Path | None, default_height: float) -> tuple[float, float]:
    """An image's own size in points (from its resolution), else ``default_height`` high."""
    if image is None:
        return (default_height * 2.5, default_height)
    from PIL import Image

    with Image.open(image) as picture:
        width, height = picture.size
        dpi = picture.info.get("dpi")
    if dpi and dpi[0] > 1 and dpi[1] > 1:
        return (width / float(dpi[0]) * 72, height / float(dpi[1]) * 72)
    return (default_height * width / height, default_height)


def signer_box(space: Box, size: tuple[float, float]) -> Box:
    """Where the signer's image goes: centred in ``space``, ``size`` shrunk to fit it."""
    width, height = _fit(size, space.width, space.height)
    x = space.left + (space.width - width) / 2
    y = space.bottom + (space.height - height) / 2
    return Box(space.page, x, y, x + width, y + height)


def seal_box(signer: Box, size: tuple[float, float]) -> Box:
    """Where the agency's seal goes: its right edge a third of the way into the signer's
    image, so that it covers the image's left third, and centred on it vertically."""
    width, height = size
    right = signer.left + signer.width / 3
    middle = (signer.bottom + signer.top) / 2
    return Box(signer.page, right - width, middle - height / 2, right, middle + height / 2)


_NUMBER = re.compile(r"Số:\s*(\d*)\s*/\s*([A-ZĐ]+-[A-ZĐ]+)")


def document_number(pdf: Path) -> str | None:
    """The document's number and symbol as its first page prints them (``5/KH-STTTT``);
    ``None`` while the number is blank (``Số: /KH-STTTT``)."""
    from pypdf import PdfReader

    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    found = _NUMBER.search(text)
    if found is None:
        raise SigningError(pdf, _("no 'Số: …' line on the first page; is this a reportkit document?"))
    return f"{found[1]}/{found[2]}" if found[1] else None


def _secret(source: KeySource) -> str:
    if source.pass_env:
        value = os.environ.get(source.pass_env)
        if value is None:
            raise SigningError(
                source.p12 or source.pkcs11_lib or "",
                _("environment variable {name} is not set; it should hold the passphrase or PIN").format(
                    name=source.pass_env
                ),
            )
        return value
    import getpass
    import sys

    if not sys.stdin.isatty():  # getpass would read a pipe, or fail with EOFError on none
        raise SigningError(
            source.p12 or source.pkcs11_lib or "",
            _(
                "no terminal to ask for the passphrase or PIN; name an environment variable "
                "holding it with --pass-env NAME"
            ),
        )
    prompt = _("PIN for token {token}: ") if source.pkcs11_lib else _("Passphrase for {file}: ")
    return getpass.getpass(prompt.format(token=source.token, file=source.p12))


def _open_p12(source: KeySource):
    from pyhanko.sign import signers

    assert source.p12 is not None
    try:
        data = Path(source.p12).read_bytes()
    except OSError as error:
        raise SigningError(source.p12, error.strerror or str(error)) from None
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, None, passphrase=_secret(source).encode())
    except ValueError:
        raise SigningError(
            source.p12, _("cannot open the PKCS#12 file: wrong passphrase, or not a PKCS#12 file")
        ) from None


class _TokenSession:
    """A signer on a PKCS#11 token, as a context manager that logs out when done."""

    def __init__(self, source: KeySource, prefer_pss: bool):
        self.source, self.prefer_pss = source, prefer_pss
        self.session = None

    def __enter__(self):
        from pkcs11 import PKCS11Error
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        source = self.source
        try:
            self.session = pkcs11.open_pkcs11_session(
                str(source.pkcs11_lib),
                token_criteria=TokenCriteria(label=source.token),
                user_pin=_secret(source),
            )
            signer = pkcs11.PKCS11Signer(
                self.session, cert_label=source.key, key_label=source.key, prefer_pss=self.prefer_pss
            )
            signer.signing_cert  # noqa: B018 (reads the certificate now: a wrong label fails here)
            return signer
        except (PKCS11Error, OSError, RuntimeError) as error:
            self.__exit__()
            raise SigningError(
                source.pkcs11_lib or "",
                _("cannot use key {key} on token {token}: {error}").format(
                    key=source.key, token=source.token, error=str(error) or type(error).__name__
                ),
            ) from None

    def __exit__(self, *exc):
        if self.session is not None:
            self.session.close()
            self.session = None


def _signature_fields(pdf: Path) -> dict[str, Box | None]:
    """The signature fields in ``pdf``: name → where its widget is (``None`` when invisible)."""
    from pypdf import PdfReader

    fields: dict[str, Box | None] = {}
    for index, page in enumerate(PdfReader(pdf).pages):
        for ref in page.get("/Annots") or []:
            widget = ref.get_object()
            field = widget if "/T" in widget else widget.get("/Parent", widget).get_object()
            if field.get("/FT") != "/Sig":
                continue
            left, bottom, right, top = (float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
            visible = right > left and top > bottom
            fields[str(field["/T"])] = Box(index, left, bottom, right, top) if visible else None
    return fields


@dataclass(frozen=True)
class Signed:
    """What :func:`sign_pdf` did: the signed file, the field it filled and where it shows."""

    output: Path
    role: str
    field: str
    box: Box | None
    level: str
    #: The CMS signature algorithm as pyHanko names it: ``rsassa_pss``, ``sha256_rsa``
    #: (PKCS#1 v1.5) or ``sha256_ecdsa``.
    algorithm: str

    @property
    def timestamped(self) -> bool:
        return self.level != "b-b"


def sign_pdf(
    pdf: Path | str,
    role: str,
    key: KeySource,
    *,
    output: Path | str | None = None,
    image: Path | str | None = None,
    tsa: str | None = None,
    level: str | None = None,
    scheme: str = "pss",
    trust: Path | str | None = None,
) -> Signed:
    """Sign ``pdf`` as ``role`` (``signer`` or ``agency``) and write ``output``.

    Parameters
    ----------
    pdf
        A PDF made by ``reportkit build``, signed already or not.
    role
        ``signer`` (the person with the authority to sign) or ``agency`` (the records office,
        when the document is issued: it must have its number by then).
    key
        Where the key is, and where its passphrase or PIN comes from.
    output
        Where to write the signed copy; default ``<name>.signed.pdf`` beside ``pdf`` (a file
        already named ``*.signed.pdf`` is signed in place). Written to a temporary file first,
        so a failure leaves every file as it was.
    image
        A transparent PNG: the signature (``signer``) or the seal (``agency``), shown at its
        own size when the PNG says its resolution. Without one the signature is invisible.
    tsa
        URL of an RFC 3161 timestamp authority, needed from B-T up.
    level
        ``b-b``, ``b-t``, ``b-lt`` or ``b-lta`` (see :data:`LEVELS`); default B-T with a
        timestamp authority, else B-B. B-LT and B-LTA fetch the chain's OCSP responses or CRLs
        from the addresses in the certificates, and fail when they cannot.
    scheme
        ``pss`` (RSASSA-PSS, the default) or ``pkcs1v15``, for RSA keys; ECDSA keys ignore it.
    trust
        A PEM file of root certificates, for B-LT and B-LTA: the chain whose revocation data
        is embedded ends at one of them. Without it, the self-signed certificates that come
        with the key (in the PKCS#12 file or on the token) are taken as roots.
    """
    _quiet_libraries()
    pdf = Path(pdf)
    if role not in ROLES:
        raise SigningError(pdf, _("role must be one of {roles}").format(roles=", ".join(ROLES)))
    if not pdf.is_file():
        raise SigningError(pdf, _("no such file"))
    if (key.p12 is None) == (key.pkcs11_lib is None):
        raise SigningError(pdf, _("give either a PKCS#12 file or a PKCS#11 library for the key"))
    level = level or ("b-t" if tsa else "b-b")
    if level not in LEVELS or scheme not in SCHEMES:
        raise SigningError(
            pdf,
            _("the level must be one of {levels} and the scheme one of {schemes}").format(
                levels=", ".join(LEVELS), schemes=", ".join(SCHEMES)
            ),
        )
    if level != "b-b" and not tsa:
        raise SigningError(
            pdf, _("PAdES {level} needs a timestamp authority (--tsa URL)").format(level=level.upper())
        )
    if output is None:
        output = pdf if pdf.name.endswith(".signed.pdf") else pdf.with_suffix(".signed.pdf")
    output, image = Path(output), Path(image) if image else None
    if image is not None:
        _check_image(image)
    how = _How(tsa=tsa, level=level, scheme=scheme, roots=tuple(_read_roots(Path(trust))) if trust else ())
    # a build's output folder: no build replaces the PDF meanwhile
    with locking.writing(pdf.parent, output=True, managed_only=True):
        return _sign(pdf, role, key, output, image, how)


def _sign(pdf: Path, role: str, key: KeySource, output: Path, image: Path | None, how: _How) -> Signed:
    from pypdf.errors import PdfReadError

    try:
        existing = _signature_fields(pdf)
    except PdfReadError as error:
        raise SigningError(pdf, _("cannot read it as a PDF: {error}").format(error=error)) from None
    field = FIELD_NAMES[role]
    if field in existing:
        raise SigningError(
            pdf, _("it already has a {role} signature (field {field})").format(role=role, field=field)
        )
    if role == "agency" and document_number(pdf) is None:
        raise SigningError(
            pdf,
            _(
                "the document has no number yet (Số: /…): the agency signs when it issues the "
                "document, and the number and date must be in it before the first signature; "
                "build it again with -p number=… -p issued_on=… and sign that copy"
            ),
        )
    box = _field_box(pdf, role, image, existing)
    data = _sign_bytes(pdf, field, box, key, image, how)
    fsio.write_bytes(output, data)  # a failure leaves every file as it was
    return Signed(output=output, role=role, field=field, box=box, level=how.level, algorithm=_algorithm(data))


def _algorithm(data: bytes) -> str:
    """The signature algorithm of the last signature of ``data``."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    last = PdfFileReader(io.BytesIO(data), strict=False).embedded_regular_signatures[-1]
    return str(last.signer_info["signature_algorithm"]["algorithm"].native)


@dataclass(frozen=True)
class _How:
    """How to sign: timestamp authority, PAdES level, RSA scheme, roots for B-LT's chain."""

    tsa: str | None
    level: str
    scheme: str
    roots: tuple


def _check_image(image: Path) -> None:
    """Refuse what is not a PNG or JPEG image that decodes, before any key is opened."""
    from PIL import Image, UnidentifiedImageError

    if not image.is_file():
        raise SigningError(image, _("no such image"))
    try:
        with Image.open(image) as picture:
            kind = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in ("PNG", "JPEG"):
        raise SigningError(
            image, _("not a PNG or JPEG image; give the signature or the seal as a transparent PNG")
        )


def _read_roots(path: Path) -> list:
    """The certificates of a PEM (or DER) file, as asn1crypto objects."""
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


def _field_box(pdf: Path, role: str, image: Path | None, existing: dict[str, Box | None]) -> Box | None:
    if image is None:
        return None
    space = signature_space(pdf)
    if role == "signer":
        return signer_box(space, _image_size(image, _SIGNATURE_HEIGHT))
    signer = existing.get(FIELD_NAMES["signer"]) or signer_box(space, _image_size(None, _SIGNATURE_HEIGHT))
    return seal_box(signer, _image_size(image, _SEAL_HEIGHT))


def _sign_bytes(
    pdf: Path, field: str, box: Box | None, key: KeySource, image: Path | None, how: _How
) -> bytes:
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko.stamp import StaticStampStyle

    style = None
    if image is not None:
        style = StaticStampStyle(
            background=PdfImage(str(image)),
            background_opacity=1.0,
            border_width=0,
            background_layout=SimpleBoxLayoutRule(
                x_align=AxisAlignment.ALIGN_MID,
                y_align=AxisAlignment.ALIGN_MID,
                margins=Margins(),
                inner_content_scaling=InnerScaling.STRETCH_TO_FIT,
            ),
        )
    spec = fields.SigFieldSpec(
        sig_field_name=field,
        on_page=box.page if box else 0,
        box=box.as_tuple() if box else None,
    )
    from .metadata import register_prefix

    register_prefix()  # pyHanko rewrites the XMP: keep the prefix Decree 30's fields are declared with
    timestamper = HTTPTimeStamper(how.tsa) if how.tsa else None
    out = io.BytesIO()
    with open(pdf, "rb") as stream:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        _leave_producer_to_pyhanko(writer)
        if key.p12 is not None:
            signer = _open_p12(key)
            signer.prefer_pss = how.scheme == "pss"
            meta = _metadata(signers, fields, field, how, signer)
            _run_signer(pdf, signer, meta, timestamper, style, spec, writer, out)
        else:
            with _TokenSession(key, prefer_pss=how.scheme == "pss") as signer:
                meta = _metadata(signers, fields, field, how, signer)
                _run_signer(pdf, signer, meta, timestamper, style, spec, writer, out)
    return out.getvalue()


def _metadata(signers, fields, field: str, how: _How, signer):
    """pyHanko's signature settings; from B-LT up, a context that fetches revocation data."""
    context = None
    if how.level in ("b-lt", "b-lta"):
        from pyhanko_certvalidator import ValidationContext

        bundled = [c for c in signer.cert_registry if c.self_signed]  # the key's own root(s)
        context = ValidationContext(
            trust_roots=list(how.roots) or bundled,
            other_certs=list(signer.cert_registry),
            allow_fetching=True,
            revocation_mode="require",
        )
    return signers.PdfSignatureMetadata(
        field_name=field,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=_REASONS[field],
        embed_validation_info=context is not None,
        validation_context=context,
        use_pades_lta=how.level == "b-lta",
    )


def _leave_producer_to_pyhanko(writer) -> None:
    """Drop ``/Producer`` from the ``/Info`` the signed revision writes.

    pyHanko writes itself as the producer into the XMP but appends itself to ``/Info``'s
    (``WeasyPrint 70.0; pyHanko 0.38.0``); PDF/A wants the two equal. Without one in ``/Info``
    it writes the same into both.
    """
    from pyhanko.pdf_utils import generic

    old = writer.prev.trailer_view.get("/Info")
    if old is not None:
        info = old.get_object()
        writer.set_info(generic.DictionaryObject({k: v for k, v in info.items() if k != "/Producer"}))


#: Written into each signature's /Reason (Vietnamese, as the document is).
_REASONS = {"Signer": "Người có thẩm quyền ký", "Agency": "Cơ quan ban hành"}


def _run_signer(pdf, signer, meta, timestamper, style, spec, writer, out) -> None:
    from pkcs11 import PKCS11Error
    from pyhanko.sign import signers
    from pyhanko.sign.general import SigningError as PyhankoSigningError
    from pyhanko.sign.timestamps import TimestampRequestError

    try:
        signers.PdfSigner(
            meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec
        ).sign_pdf(writer, output=out)
    except (PyhankoSigningError, TimestampRequestError, PKCS11Error, OSError) as error:
        raise SigningError(pdf, _("signing failed: {error}").format(error=error)) from None
