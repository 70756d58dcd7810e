"""``reportkit edxml``: a signed document as one edXML message for the national document axis.

Agencies' document management systems exchange documents through the national document
axis (Trục liên thông văn bản quốc gia) as edXML messages, QCVN 102:2016/BTTTT (Thông tư
10/2016/TT-BTTTT). The regulation's text and XSD were not available; the structure follows
public SDK samples as shared/reference/edxml-qcvn102.md sums them up:

* the root ``edXML:edXML`` holds ``edXML:edXMLEnvelope`` (``edXMLHeader``: ``MessageHeader``,
  ``TraceHeaderList``, the XML signature; ``edXMLBody``: ``edXMLManifest``) and, after the
  envelope, ``AttachmentEncoded``;
* every attachment is a ZIP archive holding the one file under its own name, base64-encoded
  (``ContentType`` ``application/zip``), as the libraries of common e-office systems expect;
* the signature is an enveloped XML-DSig (``Reference URI=""``, so it covers the header and the
  attachments), RSA-SHA256 or ECDSA-SHA256, the certificate in ``KeyInfo``, placed in
  ``edXMLHeader`` after ``TraceHeaderList``, where readers look for it.

Every header field comes from the signed PDF's own XMP (:mod:`reportkit.metadata`), so the
message and the document cannot disagree. Reading a message is :mod:`reportkit.edxml_read`.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ReportkitError
from .i18n import _
from .metadata import ORGAN_ID, DocumentMetadata, Organ, read_metadata
from .signing import KeySource

__all__ = ["NAMESPACE", "EdxmlError", "Written", "write_edxml"]

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
#: DocumentType/Type: the samples disagree on the code list; these follow the order of
#: Decree 30's Appendix III where the samples agree on it (Công văn 1 is everyone's).
_TYPE_CODES = {"Công văn": 1, "Kế hoạch": 9, "Báo cáo": 11}
_VIETNAM = dt.timezone(dt.timedelta(hours=7))


class EdxmlError(ReportkitError):
    """An edXML message cannot be written or read; ``file`` is what was given."""

    def __init__(self, file: Path | str, reason: str):
        self.file, self.reason = Path(file), reason
        super().__init__(_("{file}: {reason}").format(file=file, reason=reason))


@dataclass(frozen=True)
class Written:
    """What :func:`write_edxml` wrote: the message, its DocumentId, receivers, attachments."""

    output: Path
    document_id: str
    to: tuple[str, ...]
    attachments: tuple[str, ...]


def write_edxml(
    pdf: Path | str,
    key: KeySource,
    *,
    to: tuple[str, ...] = (),
    with_docx: bool = False,
    output: Path | str | None = None,
    now: dt.datetime | None = None,
) -> Written:
    """Write the edXML message that sends the signed ``pdf``, signed with the agency's key.

    Parameters
    ----------
    pdf
        The document as issued: signed (by the signer, then the agency), numbered, unchanged
        since its last signature; anything else is refused with one message.
    key
        The agency's key (a PKCS#12 file or a token), as ``reportkit sign`` takes it.
    to
        Receiving agencies' codes, added to those of Nơi nhận in the PDF's metadata.
    with_docx
        Also attach the Word file beside the PDF (``plan.docx`` for ``plan.signed.pdf``).
    output
        The message; default ``<name>.edxml`` beside ``pdf``. Written whole or not at all.
    now
        The TraceHeader's time (default: now).
    """
    from .fsio import write_bytes

    pdf = Path(pdf)
    data, metadata = _issued_document(pdf)
    receivers = _receivers(pdf, metadata, to)
    files = [(pdf.name, data)]
    if with_docx:
        docx = pdf.with_name(pdf.name.split(".")[0] + ".docx")
        if not docx.is_file():
            raise EdxmlError(docx, _("no such Word file beside the PDF (--with-docx)"))
        files.append((docx.name, docx.read_bytes()))
    root = _message(metadata, receivers, files, now or dt.datetime.now(_VIETNAM))
    signed = _sign(root, key, pdf)
    output = Path(output) if output else pdf.with_name(pdf.name.split(".")[0] + ".edxml")
    write_bytes(output, signed)
    return Written(
        output=output,
        document_id=_document_id(metadata),
        to=tuple(o.organ_id or "" for o in receivers),
        attachments=tuple(name for name, _data in files),
    )


def _issued_document(pdf: Path) -> tuple[bytes, DocumentMetadata]:
    """The PDF's bytes and metadata, once it is shown signed, numbered, signed by the agency
    and unchanged since (only validation data and timestamps may follow that signature)."""
    from .verification import verify_pdf

    if not pdf.is_file():
        raise EdxmlError(pdf, _("no such file"))
    data = pdf.read_bytes()
    checked = verify_pdf(pdf)
    if pdf.read_bytes() != data:  # what is attached is exactly what was checked
        raise EdxmlError(pdf, _("the file changed while it was being checked; try again"))
    if not checked.signatures:
        raise EdxmlError(pdf, _("it is not signed; sign it as signer and as agency first (reportkit sign)"))
    metadata = read_metadata(data)
    if metadata is None:
        raise EdxmlError(pdf, _("it has no Decree 30 metadata; build it again with this reportkit"))
    if not metadata.code_number or not metadata.issued_date:
        raise EdxmlError(pdf, _("it has no number or no day of issue; only an issued document is sent"))
    if not metadata.organ_id:
        raise EdxmlError(
            pdf, _("the agency has no code; add organ_id: NNN.NN.NN.Xnn under agency: in campaign.yaml")
        )
    agency = [s for s in checked.signatures if s.role == "agency"]
    if not agency:
        raise EdxmlError(pdf, _("the agency has not signed it; the records office signs when it issues it"))
    if not all(s.holds for s in checked.signatures) or agency[-1].change_kind not in ("none", "validation"):
        raise EdxmlError(
            pdf,
            _("it was changed after its last signature, or a signature does not hold (see reportkit verify)"),
        )
    return data, metadata


def _receivers(pdf: Path, metadata: DocumentMetadata, to: tuple[str, ...]) -> list[Organ]:
    for code in to:
        if not ORGAN_ID.fullmatch(code):
            raise EdxmlError(
                pdf, _("--to {code}: an agency code is 13 characters NNN.NN.NN.Xnn").format(code=code)
            )
    known = {o.organ_id: o for o in metadata.to if o.organ_id}
    receivers = list(known.values()) + [Organ(code, "") for code in to if code not in known]
    if not receivers:
        raise EdxmlError(
            pdf,
            _(
                "no receiving agency has a code: give --to NNN.NN.NN.Xnn, or an organ_id to a "
                "line of Nơi nhận in campaign.yaml"
            ),
        )
    return receivers


def _document_id(metadata: DocumentMetadata) -> str:
    """``OrganId,yyyy/mm/dd,số/ký hiệu`` (``000.00.31.H49,2021/05/07,05/KH-STTTT``)."""
    return f"{metadata.organ_id},{_slashed(metadata.issued_date)},{metadata.document_id}"


def _slashed(iso_date: str | None) -> str:
    return (iso_date or "").replace("-", "/")


def _message(metadata: DocumentMetadata, receivers: list[Organ], files: list[tuple[str, bytes]], now):
    """The unsigned message, with an empty ``ds:Signature`` where the signature goes."""
    from lxml import etree

    def sub(parent, name: str, text: str | int | None = None, namespace: str = NAMESPACE):
        element = etree.SubElement(parent, f"{{{namespace}}}{name}")
        if text is not None:
            element.text = str(text)
        return element

    root = etree.Element(f"{{{NAMESPACE}}}edXML", nsmap={"edXML": NAMESPACE})
    envelope = sub(root, "edXMLEnvelope")
    header = sub(envelope, "edXMLHeader")
    message = sub(header, "MessageHeader")
    sender = sub(message, "From")
    for name, value in (
        ("OrganId", metadata.organ_id),
        ("OrganizationInCharge", metadata.organization_in_charge),
        ("OrganName", metadata.organ_name),
        ("OrganAdd", metadata.organ_add),
        ("Email", metadata.email),
        ("Telephone", metadata.telephone),
        ("Fax", ""),
        ("Website", metadata.website),
    ):
        sub(sender, name, value)
    for organ in receivers:
        receiver = sub(message, "To")
        sub(receiver, "OrganId", organ.organ_id)
        sub(receiver, "OrganName", organ.organ_name)
    sub(message, "DocumentId", _document_id(metadata))
    code = sub(message, "Code")
    sub(code, "CodeNumber", metadata.code_number)
    sub(code, "CodeNotation", metadata.code_notation)
    promulgation = sub(message, "PromulgationInfo")
    sub(promulgation, "Place", metadata.place)
    sub(promulgation, "PromulgationDate", _slashed(metadata.issued_date))
    kind = sub(message, "DocumentType")
    sub(kind, "Type", _TYPE_CODES.get(metadata.type_name, 0))
    sub(kind, "TypeName", metadata.type_name)
    sub(message, "Subject", metadata.subject)
    sub(message, "Content", metadata.subject)
    signer = sub(message, "SignerInfo")
    sub(signer, "Competence", metadata.signer_info.competence)
    sub(signer, "Position", metadata.signer_info.position)
    sub(signer, "FullName", metadata.signer_info.full_name)
    places = sub(message, "ToPlaces")
    for line in metadata.to_places:
        sub(places, "Place", line)
    other = sub(message, "OtherInfo")
    sub(other, "Priority", metadata.priority)
    sub(other, "SphereOfPromulgation", "")
    sub(other, "TyperNotation", "")
    sub(other, "PromulgationAmount", 1)
    sub(other, "PageAmount", metadata.page_amount or "")
    sub(other, "Appendixes")
    sub(message, "SteeringType", 0)
    traces = sub(header, "TraceHeaderList")
    trace = sub(traces, "TraceHeader")
    sub(trace, "OrganId", metadata.organ_id)
    sub(trace, "Timestamp", now.astimezone(_VIETNAM).strftime("%Y/%m/%d %H:%M:%S"))
    business = sub(traces, "Bussiness")
    sub(business, "DocumentId", _document_id(metadata))
    sub(business, "BussinessDocType", 0)  # 0: Văn bản điện tử mới
    sub(business, "BussinessDocReason", "")
    sub(business, "Paper", 0)
    staff = sub(business, "StaffInfo")
    for name in ("Department", "Staff", "Email", "Mobile"):
        sub(staff, name, "")
    placeholder = etree.SubElement(header, f"{{{DSIG}}}Signature", {"Id": "placeholder"}, nsmap={"ds": DSIG})
    assert placeholder is not None
    manifest = sub(sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    attachments = sub(root, "AttachmentEncoded")
    for index, (name, data) in enumerate(files, 1):
        reference = sub(manifest, "Reference")
        sub(reference, "ContentId", f"cid:{index}")
        sub(reference, "ContentType", "application/zip")
        sub(reference, "Description", name)
        sub(reference, "AttachmentName", name)
        attachment = sub(attachments, "Attachment")
        sub(attachment, "ContentId", f"cid:{index}")
        sub(attachment, "AttachmentName", name)
        sub(attachment, "ContentTransferEncoded", base64.b64encode(_zipped(name, data)).decode("ascii"))
    return root


def _zipped(name: str, data: bytes) -> bytes:
    """A ZIP archive holding ``data`` as ``name``, with a fixed date: the same file, the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def _sign(root, key: KeySource, pdf: Path) -> bytes:
    """``root`` signed with the agency's key, the signature where the placeholder is."""
    if key.p12 is not None:
        private_key, chain = _p12_key_and_chain(key)
        return _signed_bytes(root, private_key, chain)
    from pkcs11 import KeyType, ObjectClass, PKCS11Error

    from .signing import _TokenSession

    session = _TokenSession(key, prefer_pss=False)
    with session as signer:  # opens the token, finds the certificate, logs out when done
        try:
            handle = session.session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=key.key)
        except PKCS11Error as error:
            raise EdxmlError(
                key.pkcs11_lib or pdf,
                _("cannot use key {key} on token {token}: {error}").format(
                    key=key.key, token=key.token, error=str(error) or type(error).__name__
                ),
            ) from None
        certificate = _pem(signer.signing_cert.dump())
        token_key = _TokenKey(handle, handle.key_type == KeyType.EC, signer.signing_cert.public_key.bit_size)
        return _signed_bytes(root, token_key, [certificate])


def _signed_bytes(root, private_key, chain: list[bytes]) -> bytes:
    from lxml import etree
    from signxml import XMLSigner, methods

    elliptic = getattr(private_key, "elliptic", None)
    if elliptic is None:
        from cryptography.hazmat.primitives.asymmetric import ec

        elliptic = isinstance(private_key, ec.EllipticCurvePrivateKey)
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm="ecdsa-sha256" if elliptic else "rsa-sha256",
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    signed = signer.sign(root, key=private_key, cert=chain)
    return etree.tostring(signed, xml_declaration=True, encoding="utf-8")


def _pem(der: bytes) -> bytes:
    body = base64.encodebytes(der).decode("ascii").replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode()


class _TokenKey:
    """A key on a PKCS#11 token, shaped as signxml calls a ``cryptography`` private key:
    ``sign(data, padding=…, algorithm=…)``; the data is hashed and signed on the token."""

    def __init__(self, handle, elliptic: bool, key_size: int):
        self.handle, self.elliptic, self.key_size = handle, elliptic, key_size

    def sign(self, data: bytes, padding=None, algorithm=None, signature_algorithm=None) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import utils
        from pkcs11 import Mechanism

        if self.elliptic:  # the token gives r ‖ s; signxml expects DER, as cryptography gives
            raw = self.handle.sign(data, mechanism=Mechanism.ECDSA_SHA256)
            half = len(raw) // 2
            return utils.encode_dss_signature(
                int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
            )
        return self.handle.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)


def _p12_key_and_chain(key: KeySource):
    """The private key and the certificates (PEM, the key's first) of a PKCS#12 file."""
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    from .signing import _secret

    assert key.p12 is not None
    try:
        data = Path(key.p12).read_bytes()
    except OSError as error:
        raise EdxmlError(key.p12, error.strerror or str(error)) from None
    try:
        private_key, certificate, others = pkcs12.load_key_and_certificates(data, _secret(key).encode())
    except ValueError:
        raise EdxmlError(
            key.p12, _("cannot open the PKCS#12 file: wrong passphrase, or not a PKCS#12 file")
        ) from None
    if private_key is None or certificate is None:
        raise EdxmlError(key.p12, _("the PKCS#12 file holds no key and certificate"))
    return private_key, [c.public_bytes(Encoding.PEM) for c in (certificate, *others)]
