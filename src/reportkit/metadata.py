"""Decree 30's metadata of an outgoing document (Phụ lục VI), in the PDF's own XMP.

Decree 30/2020/NĐ-CP, Appendix VI, lists what a document management system records of an
outgoing electronic document: the agency's code (``OrganId``, 13 characters, QCVN 102:2016),
``CodeNumber`` and ``CodeNotation`` (``05`` and ``KH-STTTT``), ``IssuedDate``, ``TypeName``,
``Subject``, ``Language``, ``PageAmount``, ``SignerInfo``, ``To``, ``Priority`` … This module

* builds those fields from campaign.yaml and the document's kind, number, date and summary
  (:func:`outgoing_metadata`, pure);
* writes them into a PDF's XMP packet under reportkit's schema (:data:`NAMESPACE`), declared
  in a PDF/A extension schema so that the file stays PDF/A, keeping every other XMP entry
  and leaving ``/Info`` as it was (its entries and the XMP still say the same)
  (:func:`write_metadata`);
* reads them back (:func:`read_metadata`), which is how ``verify`` and ``edxml`` get them: the
  signed file itself says what it is.

Field names are the decree's. Where Appendix VI has no field for something the edXML header
needs (the place of issue, the superior agency, the Nơi nhận lines), it is added under a
name of QCVN 102's header (``Place``, ``OrganizationInCharge``, ``ToPlaces``).
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .exceptions import ReportkitError
from .i18n import _

__all__ = [
    "NAMESPACE",
    "ORGAN_ID",
    "DocumentMetadata",
    "Organ",
    "SignerInfo",
    "check_organ_id",
    "document_metadata",
    "from_fields",
    "metadata_fields",
    "outgoing_metadata",
    "read_metadata",
    "with_document_metadata",
    "write_metadata",
]

#: reportkit's XMP schema for Decree 30's fields (a name, not an address to fetch).
NAMESPACE = "https://reportkit.vn/ns/decree30/1.0/"
PREFIX = "rkd30"
#: mã định danh (QCVN 102:2016): three digits, two, two, a letter and two digits.
ORGAN_ID = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")

#: The document kinds reportkit builds: TypeName (Decree 30, Appendix III) and notation.
_KINDS = {"plan": ("Kế hoạch", "KH"), "report": ("Báo cáo", "BC"), "consolidated": ("Báo cáo", "BC")}


def check_organ_id(value: str) -> str:
    """``value`` when it is a mã định danh (``000.00.31.H49``); else :class:`ValueError`
    saying what one looks like."""
    if not isinstance(value, str) or not ORGAN_ID.fullmatch(value.strip()):
        raise ValueError(
            _(
                "an agency code (mã định danh, QCVN 102:2016) is 13 characters NNN.NN.NN.Xnn, "
                "e.g. 000.00.31.H49; found {value!r}"
            ).format(value=value)
        )
    return value.strip()


@dataclass(frozen=True)
class Organ:
    """An agency: ``To`` of Appendix VI (``OrganId`` may be unknown: ``None``)."""

    organ_id: str | None
    organ_name: str


@dataclass(frozen=True)
class SignerInfo:
    """Who signed: ``Competence`` (``KT. GIÁM ĐỐC``), ``Position``, ``FullName``."""

    competence: str
    position: str
    full_name: str


@dataclass(frozen=True)
class DocumentMetadata:
    """Appendix VI's fields of one outgoing document."""

    organ_id: str | None
    organ_name: str
    organization_in_charge: str
    place: str
    code_number: str  # "" while the document has no number
    code_notation: str
    issued_date: str | None  # yyyy-mm-dd; None while the day is blank
    type_name: str
    subject: str
    signer_info: SignerInfo
    to: tuple[Organ, ...]
    to_places: tuple[str, ...]
    language: str = "vi"
    page_amount: int | None = None
    priority: int = 0  # 0: thường (no urgency)
    # The agency's contacts, for the edXML header's From (QCVN 102's names).
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    website: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The fields under the decree's names: ``{"OrganId": …, "SignerInfo": {…}, …}``."""
        return {_FIELD_NAMES[f.name]: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @property
    def document_id(self) -> str:
        """``CodeNumber/CodeNotation`` (``05/KH-STTTT``), or ``""`` without a number."""
        return f"{self.code_number}/{self.code_notation}" if self.code_number else ""


_FIELD_NAMES = {
    "organ_id": "OrganId",
    "organ_name": "OrganName",
    "organization_in_charge": "OrganizationInCharge",
    "place": "Place",
    "code_number": "CodeNumber",
    "code_notation": "CodeNotation",
    "issued_date": "IssuedDate",
    "type_name": "TypeName",
    "subject": "Subject",
    "signer_info": "SignerInfo",
    "to": "To",
    "to_places": "ToPlaces",
    "language": "Language",
    "page_amount": "PageAmount",
    "priority": "Priority",
    "organ_add": "OrganAdd",
    "email": "Email",
    "telephone": "Telephone",
    "website": "Website",
    "competence": "Competence",
    "position": "Position",
    "full_name": "FullName",
}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {_FIELD_NAMES[f.name]: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def outgoing_metadata(
    config: Any,
    kind: str,
    *,
    subject: str,
    number: int | None = None,
    issued_on: Any = None,
    page_amount: int | None = None,
) -> DocumentMetadata:
    """Appendix VI's fields of the ``kind`` document (``plan``, ``report``, ``consolidated``).

    Parameters
    ----------
    config
        The campaign's settings (:class:`reportkit.campaign.CampaignConfig`): the agency, its
        code, the signer, the document's section (its number, date and Nơi nhận when
        ``number`` and ``issued_on`` are not given).
    subject
        The summary line (trích yếu) as the document prints it, placeholders filled.
    number, issued_on
        The registered number and date of issue (``2021-05-07`` or an ``IssueDate``);
        ``None`` takes them from campaign.yaml.
    page_amount
        The number of pages, when known (:func:`write_metadata` counts them).
    """
    from .vn import IssueDate

    type_name, notation = _KINDS[kind]
    section = getattr(config, kind)
    if kind == "consolidated":
        notation = section.symbol
    number = section.number if number is None else number
    issued = section.issued_on if issued_on is None else issued_on
    if isinstance(issued, str):
        issued = IssueDate.parse(issued)
    day = getattr(issued, "day", None)
    issued_date = f"{issued.year:04d}-{issued.month:02d}-{day:02d}" if issued and day else None
    signer = config.signer
    to = [_organ(section.recipient)] if getattr(section, "recipient", None) else []
    to += [_organ(line) for line in section.recipients if getattr(line, "organ_id", None)]
    return DocumentMetadata(
        organ_id=config.agency.organ_id,
        organ_name=config.agency.name,
        organization_in_charge=config.agency.superior,
        place=config.agency.place,
        code_number=f"{number:02d}" if number else "",
        code_notation=f"{notation}-{config.agency.abbreviation}",
        issued_date=issued_date,
        type_name=type_name,
        subject=subject,
        signer_info=SignerInfo(
            competence=signer.authority,
            position=signer.title or signer.authority.split(". ", 1)[-1],
            full_name=signer.name,
        ),
        to=tuple(dict.fromkeys(to)),
        to_places=tuple(str(line) for line in section.recipients),
        page_amount=page_amount,
        organ_add=config.agency.address,
        email=config.agency.email,
        telephone=config.agency.telephone,
        website=config.agency.website,
    )


def _organ(recipient: Any) -> Organ:
    return Organ(getattr(recipient, "organ_id", None), str(recipient))


def document_metadata(document) -> DocumentMetadata | None:
    """The metadata a composed document carries (``Document.info``, set by the plan, the
    report and the consolidated report in their kernel), or ``None`` for a document of one's
    own that carries none."""
    info = getattr(document, "info", None) or {}
    return from_fields(info) if "CodeNotation" in info else None


def metadata_fields(document) -> dict[str, Any] | None:
    """:func:`document_metadata` under the decree's names, for manifest.json."""
    found = document_metadata(document)
    return found.as_dict() if found is not None else None


def with_document_metadata(pdf: bytes, document) -> bytes:
    """``pdf`` with the metadata of ``document`` in its XMP (:func:`write_metadata`);
    unchanged when it carries none."""
    found = document_metadata(document)
    return write_metadata(pdf, found) if found is not None else pdf


# --- XMP ------------------------------------------------------------------------------------------

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"
_PDFA_EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
_PDFA_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PDFA_PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
_PDFA_TYPE = "http://www.aiim.org/pdfa/ns/type#"
_PDFA_FIELD = "http://www.aiim.org/pdfa/ns/field#"

#: Each property of the schema: its XMP value type (PDF/A extension schema) and meaning.
_PROPERTIES = {
    "OrganId": ("Text", "Mã định danh của cơ quan ban hành (QCVN 102:2016)"),
    "OrganName": ("Text", "Tên cơ quan, tổ chức ban hành văn bản"),
    "OrganizationInCharge": ("Text", "Tên cơ quan, tổ chức chủ quản trực tiếp"),
    "Place": ("Text", "Địa danh ban hành"),
    "CodeNumber": ("Text", "Số của văn bản"),
    "CodeNotation": ("Text", "Ký hiệu của văn bản"),
    "IssuedDate": ("Text", "Ngày, tháng, năm văn bản (yyyy-mm-dd)"),
    "TypeName": ("Text", "Tên loại văn bản"),
    "Subject": ("Text", "Trích yếu nội dung"),
    "Language": ("Text", "Ngôn ngữ"),
    "PageAmount": ("Integer", "Số trang của văn bản"),
    "SignerInfo": ("Signer", "Ghi chú: người ký (thẩm quyền, chức vụ, họ tên)"),
    "To": ("Seq Organ", "Nơi nhận có mã định danh"),
    "ToPlaces": ("Seq Text", "Các dòng Nơi nhận"),
    "Priority": ("Integer", "Mức độ khẩn (0: thường)"),
    "OrganAdd": ("Text", "Địa chỉ cơ quan ban hành"),
    "Email": ("Text", "Thư điện tử của cơ quan ban hành"),
    "Telephone": ("Text", "Số điện thoại của cơ quan ban hành"),
    "Website": ("Text", "Trang thông tin điện tử của cơ quan ban hành"),
}
_TYPES = {
    "Signer": ("Competence", "Position", "FullName"),
    "Organ": ("OrganId", "OrganName"),
}


class MetadataError(ReportkitError):
    """A PDF's reportkit metadata cannot be written or read."""


def write_metadata(pdf: bytes, metadata: DocumentMetadata) -> bytes:
    """``pdf`` with ``metadata`` in its XMP under :data:`NAMESPACE`, its page count as
    ``PageAmount``; every other XMP entry, ``/Info``, the file identifier and the output
    intent kept. Written as an incremental update (:mod:`reportkit.pdfupdate`) that replaces
    the metadata stream, so this belongs before any signature."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, IndirectObject, NameObject, StreamObject

    from .pdfupdate import append_update

    reader = PdfReader(io.BytesIO(pdf))
    metadata = dataclasses.replace(metadata, page_amount=len(reader.pages))
    root = reader.trailer.raw_get("/Root")
    old = root.get_object().raw_get("/Metadata") if "/Metadata" in root.get_object() else None
    packet = _with_fields(old.get_object().get_data() if old is not None else None, metadata)
    stream = StreamObject()
    stream.set_data(packet)
    stream.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    if isinstance(old, IndirectObject):  # the stream replaced where it is
        return append_update(pdf, reader, {old.idnum: stream})
    number = int(reader.trailer["/Size"])
    catalog = DictionaryObject(root.get_object())
    catalog[NameObject("/Metadata")] = IndirectObject(number, 0, reader)
    return append_update(pdf, reader, {root.idnum: catalog, number: stream})


def _with_fields(packet: bytes | None, metadata: DocumentMetadata) -> bytes:
    """An XMP packet: ``packet``'s descriptions without an older reportkit one, plus ours."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
    body = _packet_body(packet) if packet else None
    root = etree.fromstring(body, parser) if body else etree.Element(f"{{{_X}}}xmpmeta", nsmap={"x": _X})
    rdf = root if root.tag == f"{{{_RDF}}}RDF" else root.find(f"{{{_RDF}}}RDF")
    if rdf is None:
        rdf = etree.SubElement(root, f"{{{_RDF}}}RDF", nsmap={"rdf": _RDF})
    for description in rdf.findall(f"{{{_RDF}}}Description"):
        if any(child.tag.startswith(f"{{{NAMESPACE}}}") for child in description) or (
            description.find(f"{{{_PDFA_EXTENSION}}}schemas") is not None and _declares_ours(description)
        ):
            rdf.remove(description)
    rdf.append(_extension_schema())
    rdf.append(_description(metadata))
    xml = etree.tostring(root, encoding="utf-8")
    return (
        b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n' + xml + b'\n<?xpacket end="w"?>'
    )


def _packet_body(packet: bytes) -> bytes:
    """The XML inside an XMP packet's processing instructions."""
    text = packet.strip()
    if text.startswith(b"<?xpacket"):
        text = text.split(b"?>", 1)[1]
    if b"<?xpacket" in text:
        text = text.rsplit(b"<?xpacket", 1)[0]
    return text.strip()


def _declares_ours(description) -> bool:
    return any(node.text == NAMESPACE for node in description.iter(f"{{{_PDFA_SCHEMA}}}namespaceURI"))


def _element(parent, namespace: str, name: str, text: str | None = None):
    from lxml import etree

    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _resource_li(seq):
    from lxml import etree

    return etree.SubElement(seq, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})


def _extension_schema():
    """The PDF/A extension schema that declares reportkit's properties and value types."""
    from lxml import etree

    nsmap = {
        "rdf": _RDF,
        "pdfaExtension": _PDFA_EXTENSION,
        "pdfaSchema": _PDFA_SCHEMA,
        "pdfaProperty": _PDFA_PROPERTY,
        "pdfaType": _PDFA_TYPE,
        "pdfaField": _PDFA_FIELD,
    }
    description = etree.Element(f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""}, nsmap=nsmap)
    bag = _element(_element(description, _PDFA_EXTENSION, "schemas"), _RDF, "Bag")
    schema = _resource_li(bag)
    _element(schema, _PDFA_SCHEMA, "schema", "Decree 30/2020/NĐ-CP Appendix VI (reportkit)")
    _element(schema, _PDFA_SCHEMA, "namespaceURI", NAMESPACE)
    _element(schema, _PDFA_SCHEMA, "prefix", PREFIX)
    properties = _element(_element(schema, _PDFA_SCHEMA, "property"), _RDF, "Seq")
    for name, (value_type, meaning) in _PROPERTIES.items():
        item = _resource_li(properties)
        _element(item, _PDFA_PROPERTY, "name", name)
        _element(item, _PDFA_PROPERTY, "valueType", value_type)
        _element(item, _PDFA_PROPERTY, "category", "external")
        _element(item, _PDFA_PROPERTY, "description", meaning)
    types = _element(_element(schema, _PDFA_SCHEMA, "valueType"), _RDF, "Seq")
    for type_name, fields in _TYPES.items():
        item = _resource_li(types)
        _element(item, _PDFA_TYPE, "type", type_name)
        _element(item, _PDFA_TYPE, "namespaceURI", NAMESPACE)
        _element(item, _PDFA_TYPE, "prefix", PREFIX)
        _element(item, _PDFA_TYPE, "description", type_name)
        seq = _element(_element(item, _PDFA_TYPE, "field"), _RDF, "Seq")
        for field_name in fields:
            field = _resource_li(seq)
            _element(field, _PDFA_FIELD, "name", field_name)
            _element(field, _PDFA_FIELD, "valueType", "Text")
            _element(field, _PDFA_FIELD, "description", field_name)
    return description


def _description(metadata: DocumentMetadata):
    """``rdf:Description`` holding the fields; absent values are left out."""
    from lxml import etree

    description = etree.Element(
        f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""}, nsmap={"rdf": _RDF, PREFIX: NAMESPACE}
    )
    for name, value in metadata.as_dict().items():
        if value is None or value == "" or value == []:
            continue
        if name == "SignerInfo":
            struct = _element(description, NAMESPACE, name)
            struct.set(f"{{{_RDF}}}parseType", "Resource")
            for key, text in value.items():
                _element(struct, NAMESPACE, key, text)
        elif name in ("To", "ToPlaces"):
            seq = _element(_element(description, NAMESPACE, name), _RDF, "Seq")
            for item in value:
                if isinstance(item, dict):
                    li = _resource_li(seq)
                    for key, text in item.items():
                        if text:
                            _element(li, NAMESPACE, key, text)
                else:
                    _element(seq, _RDF, "li", item)
        else:
            _element(description, NAMESPACE, name, str(value))
    return description


def register_prefix() -> None:
    """Make XML writers that serialise the XMP again (pyHanko, when it signs) write
    :data:`PREFIX`, the prefix the extension schema declares, and PDF/A's own prefixes for
    the extension schema, instead of ``ns0``."""
    from lxml import etree

    for prefix, namespace in (
        (PREFIX, NAMESPACE),
        ("pdfaExtension", _PDFA_EXTENSION),
        ("pdfaSchema", _PDFA_SCHEMA),
        ("pdfaProperty", _PDFA_PROPERTY),
        ("pdfaType", _PDFA_TYPE),
        ("pdfaField", _PDFA_FIELD),
    ):
        etree.register_namespace(prefix, namespace)


def read_metadata(pdf: bytes) -> DocumentMetadata | None:
    """The reportkit fields of ``pdf``'s XMP (:func:`write_metadata`), or ``None``.

    XMP allows a simple value as an element or as an attribute of its ``rdf:Description``,
    and a structure as ``rdf:parseType="Resource"`` or a nested description; pyHanko
    rewrites the packet in the other forms when it signs, so both are read.
    """
    from lxml import etree
    from pypdf import PdfReader

    try:
        old = PdfReader(io.BytesIO(pdf)).trailer["/Root"].get("/Metadata")
        data = old.get_object().get_data() if old is not None else None
    except Exception:  # pypdf raises many kinds on a broken file; the caller says what is missing
        return None
    if not data:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(_packet_body(data), parser)
    except etree.XMLSyntaxError:
        return None
    fields: dict[str, Any] = {}
    for description in root.iter(f"{{{_RDF}}}Description"):
        if description.getparent() is None or description.getparent().tag != f"{{{_RDF}}}RDF":
            continue  # a structure's inside, read with its property
        fields.update(_fields_of(description))
    if "CodeNotation" not in fields:
        return None
    return from_fields(fields)


def from_fields(fields: Mapping[str, Any]) -> DocumentMetadata:
    """The metadata from its fields under the decree's names (:meth:`DocumentMetadata.as_dict`,
    or as read from XMP, where numbers are text)."""
    signer = fields.get("SignerInfo") if isinstance(fields.get("SignerInfo"), dict) else {}
    to = [item for item in fields.get("To", []) if isinstance(item, dict)]
    return DocumentMetadata(
        organ_id=fields.get("OrganId"),
        organ_name=fields.get("OrganName", ""),
        organization_in_charge=fields.get("OrganizationInCharge", ""),
        place=fields.get("Place", ""),
        code_number=fields.get("CodeNumber", ""),
        code_notation=fields["CodeNotation"],
        issued_date=fields.get("IssuedDate"),
        type_name=fields.get("TypeName", ""),
        subject=fields.get("Subject", ""),
        signer_info=SignerInfo(*(signer.get(n, "") for n in ("Competence", "Position", "FullName"))),
        to=tuple(Organ(item.get("OrganId"), item.get("OrganName", "")) for item in to),
        to_places=tuple(str(item) for item in fields.get("ToPlaces", [])),
        language=fields.get("Language", "vi"),
        page_amount=int(fields["PageAmount"]) if str(fields.get("PageAmount", "")).isdigit() else None,
        priority=int(fields["Priority"]) if str(fields.get("Priority", "")).isdigit() else 0,
        organ_add=fields.get("OrganAdd", ""),
        email=fields.get("Email", ""),
        telephone=fields.get("Telephone", ""),
        website=fields.get("Website", ""),
    )


def _fields_of(holder) -> dict[str, Any]:
    """reportkit's properties on ``holder`` (a description, or a structure's element), by
    local name: attributes and simple elements as text, arrays as lists, structures as dicts."""
    found: dict[str, Any] = {}
    prefix = f"{{{NAMESPACE}}}"
    for name, value in holder.attrib.items():
        if name.startswith(prefix):
            found[name[len(prefix) :]] = value
    for child in holder:
        if not isinstance(child.tag, str) or not child.tag.startswith(prefix):
            continue
        found[child.tag[len(prefix) :]] = _value(child)
    return found


def _value(element) -> Any:
    array = next((c for c in element if c.tag in (f"{{{_RDF}}}Seq", f"{{{_RDF}}}Bag")), None)
    if array is not None:
        return [_value(li) for li in array.findall(f"{{{_RDF}}}li")]
    inner = element.find(f"{{{_RDF}}}Description")
    if inner is not None:
        return _fields_of(inner)
    if element.get(f"{{{_RDF}}}parseType") == "Resource":
        return _fields_of(element)
    return element.text or ""
