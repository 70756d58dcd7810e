"""``reportkit edxml --read``: an incoming edXML message checked, shown and unpacked.

A message from outside is untrusted input. Before anything is parsed its size is capped;
the parser resolves no entities, loads no DTD, reaches no network and refuses huge trees,
and a message with a DOCTYPE is refused outright (an edXML message has none: a DOCTYPE is
where entity bombs live). The XML signature is verified (signxml) with the certificate the
message carries, or against trust roots when given; the header and the attachments are
then read from what the signature covers, never from the raw document, so a signature over
something else (a wrapped or moved element) cannot vouch for what is shown. Each attachment
is base64 of a ZIP archive holding one file: its size, the archive's entries and their sizes
are bounded, and names are reduced to a plain file name. Writing messages is
:mod:`reportkit.edxml`.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .edxml import DSIG, NAMESPACE, EdxmlError
from .i18n import _

__all__ = ["MAX_MESSAGE_BYTES", "Incoming", "read_edxml"]

#: Largest message read, and largest file an attachment may unpack to: a document and its
#: Word copy are a few MB; 64 MB leaves room for scanned appendices.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENTS = 50

_FIELDS = (
    ("DocumentId", "DocumentId"),
    ("CodeNumber", "Code/CodeNumber"),
    ("CodeNotation", "Code/CodeNotation"),
    ("Place", "PromulgationInfo/Place"),
    ("PromulgationDate", "PromulgationInfo/PromulgationDate"),
    ("Type", "DocumentType/Type"),
    ("TypeName", "DocumentType/TypeName"),
    ("Subject", "Subject"),
    ("Competence", "SignerInfo/Competence"),
    ("Position", "SignerInfo/Position"),
    ("FullName", "SignerInfo/FullName"),
    ("PageAmount", "OtherInfo/PageAmount"),
)


@dataclass(frozen=True)
class Incoming:
    """A checked incoming message: its header fields, sender, receivers, signer of the
    message, whether that signer was judged trusted, and its attachments (name → bytes)."""

    file: Path
    header: dict[str, str]
    sender: tuple[str, str]
    receivers: tuple[tuple[str, str], ...]
    signed_by: str
    trusted: bool | None
    attachments: dict[str, bytes]

    def lines(self) -> list[str]:
        """The header as a person reads it, in the user's language."""
        h = self.header
        trust = {None: _("trust not checked (no --trust)"), True: _("trusted"), False: _("NOT trusted")}
        return [
            _("{file}: edXML message signed by {signer} ({trust})").format(
                file=self.file, signer=self.signed_by, trust=trust[self.trusted]
            ),
            _("From: {name} ({code})").format(name=self.sender[1], code=self.sender[0]),
            _("To: {receivers}").format(receivers="; ".join(f"{n} ({c})".strip() for c, n in self.receivers)),
            _("Document: {type} số {number}/{notation}, {place}, {date}").format(
                type=h.get("TypeName", ""),
                number=h.get("CodeNumber", ""),
                notation=h.get("CodeNotation", ""),
                place=h.get("Place", ""),
                date=h.get("PromulgationDate", ""),
            ),
            _("Subject: {subject}").format(subject=h.get("Subject", "")),
            _("Signer: {competence} {name}").format(
                competence=h.get("Competence", ""), name=h.get("FullName", "")
            ),
            _("Attachments: {names}").format(
                names=", ".join(f"{name} ({len(data):,} B)" for name, data in self.attachments.items())
            ),
        ]


def read_edxml(
    path: Path | str, *, trust: Path | str | None = None, extract: Path | str | None = None
) -> Incoming:
    """Check, read and (with ``extract``) unpack the edXML message at ``path``.

    Parameters
    ----------
    path
        The message.
    trust
        A PEM file of root certificates; the message's certificate must chain to one of them.
        Without it the signature is checked with the certificate the message carries, and
        :attr:`Incoming.trusted` is ``None``.
    extract
        A folder to write the attachments into (created if needed); nothing is written
        unless every check passed.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise EdxmlError(path, error.strerror or str(error)) from None
    if size > MAX_MESSAGE_BYTES:
        raise EdxmlError(
            path,
            _("the message is {size:,} bytes, more than the {limit:,} read").format(
                size=size, limit=MAX_MESSAGE_BYTES
            ),
        )
    root = _parse(path, path.read_bytes())
    signed, signer, trusted = _verify(path, root, trust)
    message = _one(
        path, signed, f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/{{{NAMESPACE}}}MessageHeader"
    )
    header = {name: _text(message, where) for name, where in _FIELDS}
    sender = (_text(message, "From/OrganId"), _text(message, "From/OrganName"))
    receivers = tuple(
        (_text(to, "OrganId"), _text(to, "OrganName")) for to in message.findall(f"{{{NAMESPACE}}}To")
    )
    attachments = _attachments(path, signed)
    if extract is not None:
        _extract(Path(extract), attachments)
    return Incoming(path, header, sender, receivers, signer, trusted, attachments)


def _parse(path: Path, data: bytes):
    from lxml import etree

    if b"<!DOCTYPE" in data:  # refused before parsing: no entity is ever expanded
        raise EdxmlError(path, _("the message has a DOCTYPE; edXML has none, and entities are refused"))
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise EdxmlError(path, _("not well-formed XML: {error}").format(error=error)) from None
    if root.getroottree().docinfo.doctype or root.getroottree().docinfo.internalDTD is not None:
        raise EdxmlError(path, _("the message has a DOCTYPE; edXML has none, and entities are refused"))
    if root.tag != f"{{{NAMESPACE}}}edXML":
        raise EdxmlError(
            path,
            _("not an edXML message (root element {tag}, expected edXML in {ns})").format(
                tag=root.tag, ns=NAMESPACE
            ),
        )
    return root


def _verify(path: Path, root, trust: Path | str | None):
    """The element the signature covers (the whole message), who signed, and trust."""
    from cryptography import x509
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidInput, InvalidSignature

    signature = root.find(f"{{{NAMESPACE}}}edXMLEnvelope/{{{NAMESPACE}}}edXMLHeader/{{{DSIG}}}Signature")
    if signature is None or len(root.findall(f".//{{{DSIG}}}Signature")) != 1:
        raise EdxmlError(path, _("the message needs exactly one XML signature, in edXMLHeader"))
    pem = signature.findtext(f"{{{DSIG}}}KeyInfo/{{{DSIG}}}X509Data/{{{DSIG}}}X509Certificate")
    if not pem:
        raise EdxmlError(path, _("the XML signature carries no certificate (KeyInfo/X509Data)"))
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode("".join(pem.split()), validate=True))
    except (ValueError, binascii.Error):
        raise EdxmlError(path, _("the certificate in the XML signature cannot be read")) from None
    pem_text = certificate.public_bytes(_pem()).decode("ascii")
    verifier = XMLVerifier()
    try:
        if trust:
            result = verifier.verify(root, ca_pem_file=str(trust), expect_references=1)
        else:
            result = verifier.verify(root, x509_cert=pem_text, expect_references=1)
    except (InvalidSignature, InvalidInput) as error:
        raise EdxmlError(path, _("the XML signature does not hold: {error}").format(error=error)) from None
    covered = result.signed_xml
    if covered is None or covered.tag != root.tag:
        raise EdxmlError(path, _("the XML signature covers something other than the whole message"))
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    signer = names[0].value if names else certificate.subject.rfc4514_string()
    return covered, str(signer), (True if trust else None)


def _pem():
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


def _one(path: Path, element, where: str):
    found = element.find(where)
    if found is None:
        raise EdxmlError(path, _("the message has no {part}").format(part=where.split("}")[-1]))
    return found


def _text(element, where: str) -> str:
    qualified = "/".join(f"{{{NAMESPACE}}}{part}" for part in where.split("/"))
    return (element.findtext(qualified) or "").strip()


def _attachments(path: Path, signed) -> dict[str, bytes]:
    """Each attachment's one file, unzipped, by its plain name."""
    items = signed.findall(f"{{{NAMESPACE}}}AttachmentEncoded/{{{NAMESPACE}}}Attachment")
    if len(items) > MAX_ATTACHMENTS:
        raise EdxmlError(path, _("more than {n} attachments").format(n=MAX_ATTACHMENTS))
    found: dict[str, bytes] = {}
    for item in items:
        name = _text(item, "AttachmentName")
        encoded = item.findtext(f"{{{NAMESPACE}}}ContentTransferEncoded") or ""
        if len(encoded) > MAX_FILE_BYTES * 4 // 3 + 4:
            raise EdxmlError(path, _("attachment {name} is too large").format(name=name))
        try:
            archive_bytes = base64.b64decode("".join(encoded.split()), validate=True)
        except (binascii.Error, ValueError):
            raise EdxmlError(path, _("attachment {name} is not valid base64").format(name=name)) from None
        found[_plain_name(path, name)] = _unzip(path, name, archive_bytes)
    return found


def _unzip(path: Path, name: str, data: bytes) -> bytes:
    """The one file of a ZIP archive, its declared and actual sizes bounded."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [e for e in archive.infolist() if not e.is_dir()]
            if len(entries) != 1 or entries[0].file_size > MAX_FILE_BYTES:
                raise EdxmlError(
                    path,
                    _("attachment {name} is not a ZIP archive of one file of at most {limit:,} bytes").format(
                        name=name, limit=MAX_FILE_BYTES
                    ),
                )
            with archive.open(entries[0]) as stream:
                content = stream.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise EdxmlError(
            path, _("attachment {name} is not a readable ZIP archive").format(name=name)
        ) from None
    if len(content) > MAX_FILE_BYTES:
        raise EdxmlError(path, _("attachment {name} is too large").format(name=name))
    return content


def _plain_name(path: Path, name: str) -> str:
    """``name`` as a plain file name: no folders, no ``..``, not empty."""
    plain = Path(name.replace("\\", "/")).name
    if plain in ("", ".", "..") or plain.startswith("."):
        raise EdxmlError(path, _("attachment name {name!r} is not a plain file name").format(name=name))
    return plain


def _extract(folder: Path, attachments: dict[str, bytes]) -> None:
    from .fsio import write_bytes

    for name, data in attachments.items():
        write_bytes(folder / name, data)
