"""Decree 30's metadata (Appendix VI): agency codes in campaign.yaml, the fields of an
outgoing document, and their round trip through a PDF's XMP. The built and signed plan's
metadata is tested in tests/test_signing.py, beside its other PDF checks."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from pypdf import PdfReader, PdfWriter

from reportkit.campaign import load_campaign
from reportkit.metadata import (
    DocumentMetadata,
    Organ,
    SignerInfo,
    check_organ_id,
    outgoing_metadata,
    read_metadata,
    write_metadata,
)

from .conftest import MINIMAL, ROOT


@pytest.mark.parametrize(
    ("code", "good"),
    [
        ("000.00.31.H49", True),
        ("000.00.00.G22", True),
        ("123.45.67.A00", True),
        ("000.00.31.h49", False),  # the letter is upper case
        ("000.00.31.H4", False),  # 12 characters
        ("000.00.031.H49", False),
        ("000-00-31-H49", False),
        ("H49", False),
        ("", False),
    ],
)
def test_an_agency_code_is_nnn_nn_nn_xnn(code: str, good: bool):
    if good:
        assert check_organ_id(code) == code
    else:
        with pytest.raises(ValueError, match=r"13 characters NNN\.NN\.NN\.Xnn"):
            check_organ_id(code)


def _with(text: str, after: str, lines: str) -> str:
    return text.replace(after, after + lines, 1)


def test_a_wrong_agency_code_in_campaign_yaml_is_one_message_naming_the_key(make_campaign):
    campaign = make_campaign(
        MINIMAL, **{"campaign.yaml": lambda t: _with(t, "  abbreviation: STTTT\n", "  organ_id: 000.00.31\n")}
    )
    result = subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "validate", str(campaign)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert "agency.organ_id" in result.stderr and "NNN.NN.NN.Xnn" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_fields_of_an_outgoing_plan_come_from_campaign_yaml(make_campaign):
    def edit(text: str) -> str:
        text = _with(text, "  abbreviation: STTTT\n", "  organ_id: 000.00.31.H49\n")
        return text.replace(
            "  recipients:\n", "  recipients:\n    - {name: Bộ TTTT (b/c), organ_id: 000.00.00.G12}\n", 1
        )

    config = load_campaign(make_campaign(MINIMAL, **{"campaign.yaml": edit})).config
    found = outgoing_metadata(
        config, "plan", subject="Tổ chức tuyên truyền", number=5, issued_on="2021-05-07"
    )
    fields = found.as_dict()
    assert fields["OrganId"] == "000.00.31.H49"
    assert (fields["CodeNumber"], fields["CodeNotation"]) == ("05", "KH-STTTT")
    assert (fields["IssuedDate"], fields["TypeName"]) == ("2021-05-07", "Kế hoạch")
    assert fields["SignerInfo"] == {
        "Competence": "KT. GIÁM ĐỐC",
        "Position": "PHÓ GIÁM ĐỐC",
        "FullName": "Nguyễn Văn An",
    }
    assert fields["To"] == [{"OrganId": "000.00.00.G12", "OrganName": "Bộ TTTT (b/c)"}]
    assert fields["ToPlaces"][0] == "Bộ TTTT (b/c)"  # the line prints as text
    assert found.document_id == "05/KH-STTTT"
    blank = outgoing_metadata(config, "plan", subject="x", issued_on="2021-05")  # number from campaign.yaml
    assert (blank.code_number, blank.issued_date) == (f"{config.plan.number:02d}", None)


def _blank_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Kế hoạch thử", "/Author": "Sở TTTT"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


SAMPLE = DocumentMetadata(
    organ_id="000.00.31.H49",
    organ_name="Sở Thông tin và Truyền thông",
    organization_in_charge="UBND TỈNH PHÚ YÊN",
    place="Phú Yên",
    code_number="05",
    code_notation="KH-STTTT",
    issued_date="2021-05-07",
    type_name="Kế hoạch",
    subject='Tổ chức tuyên truyền <Ngày> & "Viễn thông"',
    signer_info=SignerInfo("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"),
    to=(Organ("000.00.00.G12", "Bộ Thông tin và Truyền thông"), Organ(None, "UBND tỉnh")),
    to_places=("Như trên;", "Lưu: VT, BCVT."),
)


def test_the_fields_go_into_the_xmp_and_come_back_the_same_with_the_page_count():
    original = _blank_pdf(pages=3)
    written = write_metadata(original, SAMPLE)
    back = read_metadata(written)
    assert back is not None and back.as_dict() == {**SAMPLE.as_dict(), "PageAmount": 3}
    reader = PdfReader(io.BytesIO(written))
    assert reader.metadata["/Title"] == "Kế hoạch thử"  # /Info as it was
    packet = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "pdfaExtension:schemas" in packet and "<pdfaSchema:prefix>rkd30</pdfaSchema:prefix>" in packet
    twice = write_metadata(written, SAMPLE)  # written again: one set of fields, one declaration
    assert read_metadata(twice) == back
    packet = PdfReader(io.BytesIO(twice)).trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert packet.count("<rkd30:CodeNotation>") == 1 and packet.count("<pdfaExtension:schemas>") == 1


def test_a_pdf_without_reportkit_fields_has_none():
    assert read_metadata(_blank_pdf()) is None
    assert read_metadata(b"not a pdf") is None
