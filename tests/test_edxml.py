"""``reportkit edxml``: the sample plan, numbered, signed by the director then the agency,
sent as an edXML message (QCVN 102:2016) and read back; hostile incoming messages refused.

The message is checked by an independent reader: plain lxml XPath over the namespace, the
attachment unzipped by hand, the XML signature verified by signxml with the agency's
certificate from its PKCS#12 file. Everything runs through the real command."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from .conftest import ROOT, SAMPLE, build_campaign
from .pki import PASSPHRASE, make_pki

NS = {"e": "http://www.mic.gov.vn/TBT/QCVN_102_2016", "ds": "http://www.w3.org/2000/09/xmldsig#"}
RECEIVER = "000.00.00.G12"


def reportkit(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "RK_PASS": PASSPHRASE, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("edxml")


@pytest.fixture(scope="module")
def pki(work: Path):
    return make_pki(work / "pki")


@pytest.fixture(scope="module")
def built(work: Path) -> Path:
    numbered = ("--doc", "plan", "--to", "pdf,docx", "-p", "number=5", "-p", "issued_on=2021-05-07")
    return build_campaign(SAMPLE, work / "out", *numbered) / "plan.pdf"


@pytest.fixture(scope="module")
def signed(built: Path, pki) -> Path:
    first = reportkit("sign", built, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS")
    assert first.returncode == 0, first.stderr
    output = built.with_name("plan.signed.pdf")
    second = reportkit("sign", output, "--role", "agency", "--p12", pki.agency_p12, "--pass-env", "RK_PASS")
    assert second.returncode == 0, second.stderr
    return output


@pytest.fixture(scope="module")
def message(signed: Path, pki) -> Path:
    result = reportkit("edxml", signed, "--to", RECEIVER, "--p12", pki.agency_p12, "--pass-env", "RK_PASS")
    assert result.returncode == 0, result.stderr
    out = signed.with_name("plan.edxml")
    assert (
        result.stdout
        == f"{out}: edXML message 000.00.31.H49,2021/05/07,05/KH-STTTT to {RECEIVER} (plan.signed.pdf)\n"
    )
    return out


def _one(root, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0].text or ""


@pytest.mark.kernel
@pytest.mark.pdf
def test_an_independent_reader_finds_every_header_field(message: Path, signed: Path):
    from reportkit.campaign import load_campaign

    root = etree.parse(str(message)).getroot()
    assert root.tag == f"{{{NS['e']}}}edXML"
    head = "/e:edXML/e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader"
    plan = load_campaign(SAMPLE).config.plan
    expected = {
        "e:From/e:OrganId": "000.00.31.H49",
        "e:From/e:OrganName": "Sở Thông tin và Truyền thông",
        "e:From/e:OrganizationInCharge": "UBND TỈNH PHÚ YÊN",
        "e:To/e:OrganId": RECEIVER,
        "e:DocumentId": "000.00.31.H49,2021/05/07,05/KH-STTTT",
        "e:Code/e:CodeNumber": "05",
        "e:Code/e:CodeNotation": "KH-STTTT",
        "e:PromulgationInfo/e:Place": "Phú Yên",
        "e:PromulgationInfo/e:PromulgationDate": "2021/05/07",
        "e:DocumentType/e:TypeName": "Kế hoạch",
        "e:Subject": PdfReader(signed).metadata["/Title"],
        "e:SignerInfo/e:Competence": "GIÁM ĐỐC",
        "e:SignerInfo/e:FullName": "Trần Thanh Hưng",
        "e:OtherInfo/e:PageAmount": str(len(PdfReader(signed).pages)),
        "e:OtherInfo/e:Priority": "0",
    }
    for path, value in expected.items():
        assert _one(root, f"{head}/{path}") == value, path
    places = [p.text for p in root.xpath(f"{head}/e:ToPlaces/e:Place", namespaces=NS)]
    assert places == list(plan.recipients)
    trace = "/e:edXML/e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList"
    assert _one(root, f"{trace}/e:TraceHeader/e:OrganId") == "000.00.31.H49"
    assert _one(root, f"{trace}/e:Bussiness/e:BussinessDocType") == "0"
    # the signature sits in edXMLHeader right after TraceHeaderList, RSA-SHA256, with its certificate
    header = root.xpath("/e:edXML/e:edXMLEnvelope/e:edXMLHeader", namespaces=NS)[0]
    assert [etree.QName(c).localname for c in header] == ["MessageHeader", "TraceHeaderList", "Signature"]
    assert root.xpath("//ds:SignatureMethod/@Algorithm", namespaces=NS) == [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    ]
    assert root.xpath("//ds:Reference/@URI", namespaces=NS) == [""]
    assert root.xpath("//ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=NS)


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_attachment_is_the_signed_pdf_byte_for_byte(message: Path, signed: Path):
    root = etree.parse(str(message)).getroot()
    [reference] = root.xpath("//e:edXMLManifest/e:Reference", namespaces=NS)
    assert reference.findtext("e:ContentType", namespaces=NS) == "application/zip"
    content_id = reference.findtext("e:ContentId", namespaces=NS)
    [attachment] = root.xpath("/e:edXML/e:AttachmentEncoded/e:Attachment", namespaces=NS)
    assert attachment.findtext("e:ContentId", namespaces=NS) == content_id
    archive = zipfile.ZipFile(
        io.BytesIO(base64.b64decode(attachment.findtext("e:ContentTransferEncoded", namespaces=NS)))
    )
    assert archive.namelist() == ["plan.signed.pdf"]
    assert archive.read("plan.signed.pdf") == signed.read_bytes()


def _agency_certificate_pem(pki) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, certificate, _others = pkcs12.load_key_and_certificates(
        pki.agency_p12.read_bytes(), PASSPHRASE.encode()
    )
    return certificate.public_bytes(Encoding.PEM)


@pytest.mark.kernel
@pytest.mark.pdf
def test_the_signature_verifies_with_the_agency_certificate_and_fails_after_one_changed_character(
    message: Path, pki, tmp_path: Path
):
    from signxml import XMLVerifier
    from signxml.exceptions import InvalidSignature

    data = message.read_bytes()
    XMLVerifier().verify(data, x509_cert=_agency_certificate_pem(pki), expect_references=1)
    changed = data.replace("tuyên truyền".encode(), "tuyên truyễn".encode(), 1)
    assert changed != data
    with pytest.raises(InvalidSignature):
        XMLVerifier().verify(changed, x509_cert=_agency_certificate_pem(pki), expect_references=1)
    tampered = tmp_path / "changed.edxml"
    tampered.write_bytes(changed)
    result = reportkit("edxml", "--read", tampered)
    assert result.returncode == 2 and "the XML signature does not hold" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.kernel
@pytest.mark.pdf
def test_read_shows_the_header_and_extracts_the_signed_pdf(message: Path, signed: Path, pki, tmp_path: Path):
    out = tmp_path / "in"
    alone = reportkit("edxml", "--read", message, "--extract", out)
    assert alone.returncode == 3, alone.stderr  # trust not checked, as verify
    assert "trust not checked (no --trust)" in alone.stdout.splitlines()[0]
    assert "Document: Kế hoạch số 05/KH-STTTT, Phú Yên, 2021/05/07" in alone.stdout
    assert (out / "plan.signed.pdf").read_bytes() == signed.read_bytes()
    trusted = reportkit("edxml", "--read", message, "--trust", pki.root_pem, "--lang", "vi")
    assert trusted.returncode == 0, trusted.stderr
    assert "Trần Thanh Hưng" in trusted.stdout and "From:" not in trusted.stdout  # in Vietnamese
    other = make_pki(tmp_path / "other")
    untrusted = reportkit("edxml", "--read", message, "--trust", other.root_pem)
    assert untrusted.returncode == 2 and "the XML signature does not hold" in untrusted.stderr


@pytest.mark.kernel
@pytest.mark.pdf
def test_a_document_not_issued_is_refused_with_one_message(built: Path, signed: Path, pki, tmp_path: Path):
    key = ("--to", RECEIVER, "--p12", pki.agency_p12, "--pass-env", "RK_PASS")
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(signed.read_bytes() + b"\n% appended\n")
    resigned = tmp_path / "resigned.pdf"  # a third signature after the agency's: not as issued
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    other = signers.SimpleSigner.load_pkcs12(str(pki.signer_p12), passphrase=PASSPHRASE.encode())
    with open(signed, "rb") as stream, open(resigned, "wb") as out:
        writer = IncrementalPdfFileWriter(stream, strict=False)
        signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Extra"), other).sign_pdf(
            writer, output=out
        )
    cases = {
        built: "it is not signed",
        changed: "changed after its last signature",
        resigned: "changed after its last signature",
    }
    for pdf, reason in cases.items():
        out = tmp_path / f"{pdf.stem}.edxml"
        result = reportkit("edxml", pdf, *key, "--out", out)
        assert result.returncode == 2, (pdf, result.stdout)
        assert reason in result.stderr and result.stderr.count("\n") == 1
        assert not out.exists()
    unnumbered = build_campaign(SAMPLE, tmp_path / "u", "--doc", "plan", "--to", "pdf") / "plan.pdf"
    assert (
        reportkit(
            "sign", unnumbered, "--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS"
        ).returncode
        == 0
    )
    result = reportkit("edxml", unnumbered.with_name("plan.signed.pdf"), *key)
    assert result.returncode == 2 and "no number or no day of issue" in result.stderr
    issued_unsigned = tmp_path / "signer-only.pdf"  # numbered, signed by the director only
    assert (
        reportkit(
            "sign",
            built,
            "--role",
            "signer",
            "--p12",
            pki.signer_p12,
            "--pass-env",
            "RK_PASS",
            "--output",
            issued_unsigned,
        ).returncode
        == 0
    )
    result = reportkit("edxml", issued_unsigned, *key)
    assert result.returncode == 2 and "the agency has not signed it" in result.stderr


# --- hostile incoming messages -------------------------------------------------------------------

_ROOT = '<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">{body}</edXML:edXML>'
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE edXML [\n<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
    + "]>\n"
    + _ROOT.format(body="&j;")
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    + _ROOT.format(body="&x;")
)


def _signed_message(pki, tree) -> bytes:
    """``tree`` signed with the test agency's key, as reportkit signs a message."""
    from reportkit.edxml import _sign
    from reportkit.signing import KeySource

    os.environ["RK_PASS"] = PASSPHRASE
    return _sign(tree, KeySource(p12=pki.agency_p12, pass_env="RK_PASS"), Path("x"))


def _skeleton(attachment: str):
    text = (
        '<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">'
        "<edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>x</edXML:Subject>"
        "</edXML:MessageHeader><edXML:TraceHeaderList/>"
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/></edXML:edXMLHeader>'
        "<edXML:edXMLBody/></edXML:edXMLEnvelope><edXML:AttachmentEncoded><edXML:Attachment>"
        "<edXML:AttachmentName>a.pdf</edXML:AttachmentName>"
        f"<edXML:ContentTransferEncoded>{attachment}</edXML:ContentTransferEncoded>"
        "</edXML:Attachment></edXML:AttachmentEncoded></edXML:edXML>"
    )
    return etree.fromstring(text.encode())


def _zip_bomb() -> str:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.pdf", b"\0" * (80 * 1024 * 1024))
    return base64.b64encode(out.getvalue()).decode()


def _traversal() -> str:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("../../evil.pdf", b"x")
        archive.writestr("second.pdf", b"y")
    return base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("bomb", "DOCTYPE"),
        ("external", "DOCTYPE"),
        ("broken", "not well-formed XML"),
        ("huge", "more than the"),
        ("unsigned", "exactly one XML signature"),
        ("bad-base64", "is not valid base64"),
        ("zip-bomb", "of at most"),
        ("two-files", "of at most"),
        ("elsewhere", "covers something other than the whole message"),
    ],
)
def test_hostile_messages_are_refused_cleanly_in_bounded_time(case: str, reason: str, pki, tmp_path: Path):
    path = tmp_path / "in.edxml"
    if case == "bomb":
        path.write_text(BOMB)
    elif case == "external":
        path.write_text(EXTERNAL)
    elif case == "broken":
        path.write_text(_ROOT.format(body="<unclosed>"))
    elif case == "huge":
        with open(path, "wb") as stream:  # sparse: nothing is written but the size
            stream.truncate(64 * 1024 * 1024 + 1)
    elif case == "unsigned":
        path.write_text(_ROOT.format(body="<edXML:edXMLEnvelope/>"))
    elif case == "bad-base64":
        path.write_bytes(_signed_message(pki, _skeleton("@@not base64!!")))
    elif case == "zip-bomb":
        path.write_bytes(_signed_message(pki, _skeleton(_zip_bomb())))
    elif case == "two-files":
        path.write_bytes(_signed_message(pki, _skeleton(_traversal())))
    else:  # a valid signature, but over the envelope only: the attachments ride outside it
        tree = _skeleton("")
        envelope = tree.find(f"{{{NS['e']}}}edXMLEnvelope")
        envelope.set("Id", "env")
        from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
        from signxml import XMLSigner, methods

        key, cert, _o = pkcs12.load_key_and_certificates(pki.agency_p12.read_bytes(), PASSPHRASE.encode())
        signed = XMLSigner(
            method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256"
        ).sign(tree, key=key, cert=[cert.public_bytes(Encoding.PEM)], reference_uri="#env")
        path.write_bytes(etree.tostring(signed))
    clock = time.monotonic()
    result = reportkit("edxml", "--read", path, "--extract", tmp_path / "x")
    assert time.monotonic() - clock < 30
    assert result.returncode == 2, result.stdout
    assert reason in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.kernel
@pytest.mark.pdf
@pytest.mark.token
def test_the_message_can_be_signed_with_a_key_on_a_pkcs11_token_softhsm2(signed: Path, pki, tmp_path: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from signxml import XMLVerifier

    from .pki import PIN, SOFTHSM_LIB, make_token

    assert SOFTHSM_LIB.exists(), "Debian's softhsm2 package is needed"
    env = {**make_token(tmp_path, pki), "RK_PIN": PIN}
    out = tmp_path / "token.edxml"
    result = reportkit(
        "edxml", signed, "--to", RECEIVER, "--pkcs11-lib", SOFTHSM_LIB, "--token", "rk-token",
        "--key", "signer", "--pass-env", "RK_PIN", "--out", out, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    certificate = x509.load_der_x509_certificate(pki.signer_cert_der.read_bytes()).public_bytes(Encoding.PEM)
    XMLVerifier().verify(out.read_bytes(), x509_cert=certificate, expect_references=1)


@pytest.mark.kernel
@pytest.mark.pdf
def test_with_docx_the_word_file_is_a_second_attachment(signed: Path, pki, tmp_path: Path):
    out = tmp_path / "both.edxml"
    result = reportkit(
        "edxml", signed, "--to", RECEIVER, "--p12", pki.agency_p12, "--pass-env", "RK_PASS", "--with-docx",
        "--out", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    root = etree.parse(str(out)).getroot()
    names = root.xpath("//e:edXMLManifest/e:Reference/e:AttachmentName/text()", namespaces=NS)
    assert names == ["plan.signed.pdf", "plan.docx"]
    [_pdf, docx] = root.xpath("/e:edXML/e:AttachmentEncoded/e:Attachment", namespaces=NS)
    encoded = docx.findtext("e:ContentTransferEncoded", namespaces=NS)
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded)))
    assert archive.read("plan.docx") == signed.with_name("plan.docx").read_bytes()
