"""The plan composed as HTML: Decree-30 elements, escaping, figures it carries."""

from __future__ import annotations

import re

import pytest

from reportkit.budget import budget_estimate
from reportkit.campaign import load_campaign
from reportkit.document import FIGURES_MIMETYPE, plan_document
from reportkit.exceptions import CampaignError

from .conftest import MINIMAL, SAMPLE


def text_of(html: str) -> str:
    return " ".join(
        re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S).replace("\u00a0", " ").split()
    )


@pytest.fixture(scope="module")
def sample_plan():
    campaign = load_campaign(SAMPLE)
    return plan_document(campaign, budget_estimate(campaign.budget))


def test_header_number_and_date_of_the_seed(sample_plan):
    text = text_of(sample_plan.html)
    for expected in [
        "UBND TỈNH PHÚ YÊN",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: /KH-STTTT",
        "Phú Yên, ngày tháng 5 năm 2021",
        "KẾ HOẠCH Tổ chức tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới năm 2021",
    ]:
        assert expected in text


def test_sections_in_order_with_roman_numbers(sample_plan):
    text = text_of(sample_plan.html)
    headings = [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. Nội dung tuyên truyền:",
        "III. Đối tượng phổ biến:",
        "IV. Hình thức và thời gian tuyên truyền:",
        "V. Kinh phí thực hiện:",
        "VI. Tổ chức thực hiện:",
    ]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "5. Các doanh nghiệp Bưu chính, Viễn thông: Tuyên truyền đến toàn thể nhân viên công ty" in text


def test_budget_total_in_text_table_and_words(sample_plan):
    text = text_of(sample_plan.html)
    assert "Tổng kinh phí: 300.000đ" in text
    assert (
        "1 Tuyên truyền Ngày Viễn thông và Xã hội thông tin thế giới (17/5) năm 2021"
        " Băng rôn 01 300.000 300.000 Tạm tính" in text
    )
    assert "Tổng cộng 300.000" in text
    assert "Bằng chữ: Ba trăm nghìn đồng chẵn." in text


def test_recipients_are_punctuated_and_the_signer_signs(sample_plan):
    text = text_of(sample_plan.html)
    assert "Nơi nhận: - Bộ TTTT (b/c); - Ban Giám đốc;" in text
    assert "- Lưu: VT, BCVT. GIÁM ĐỐC Trần Thanh Hưng" in text


def test_legal_basis_is_italic_and_ends_with_a_full_stop(sample_plan):
    basis = re.search(r'<p class="rk-body rk-basis">(.*?)</p>', sample_plan.html, re.S).group(1)
    assert text_of(basis).endswith("thế giới 2021.")


def test_appendix_and_attachment_come_after_the_signature(sample_plan):
    text = text_of(sample_plan.html)
    assert (
        text.index("Trần Thanh Hưng")
        < text.index("THÔNG ĐIỆP CỦA TỔNG THƯ KÝ ITU")
        < text.index("Dự trù kinh phí")
    )
    assert "(Kèm theo Kế hoạch số /KH-STTTT ngày tháng 5 năm 2021 của Sở Thông tin và Truyền thông)" in text


def test_number_and_date_given_as_parameters():
    campaign = load_campaign(SAMPLE)
    plan = plan_document(campaign, budget_estimate(campaign.budget), number=5, issued_on="2021-05-07")
    text = text_of(plan.html)
    assert "Số: 05/KH-STTTT" in text and "Phú Yên, ngày 07 tháng 5 năm 2021" in text
    assert "Kèm theo Kế hoạch số 05/KH-STTTT ngày 07 tháng 5 năm 2021" in text


def test_a_deputy_signs_for_the_director():
    campaign = load_campaign(MINIMAL)
    text = text_of(plan_document(campaign, budget_estimate(campaign.budget)).html)
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC Nguyễn Văn An" in text
    assert "Số: 07/KH-STTTT" in text and "ngày 05 tháng 01 năm 2022" in text
    assert "Tổng kinh phí: 703.015đ (Bảy trăm linh ba nghìn không trăm mười lăm đồng chẵn)." in text


def test_text_from_the_campaign_is_escaped(make_campaign):
    folder = make_campaign(
        **{"campaign.yaml": lambda t: t.replace("name: Nguyễn Văn An", "name: <script>alert(1)</script>")}
    )
    campaign = load_campaign(folder)
    html = plan_document(campaign, budget_estimate(campaign.budget)).html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unknown_placeholder_is_refused_when_the_campaign_loads(make_campaign):
    folder = make_campaign(**{"campaign.yaml": lambda t: t.replace("năm {year}", "năm {yaer}", 1)})
    with pytest.raises(
        CampaignError, match=r"key 'plan\.summary': only known placeholders .*found '\{yaer\}'"
    ):
        load_campaign(folder)


def test_the_document_carries_its_figures_and_marks_itself(sample_plan):
    data, metadata = sample_plan._repr_mimebundle_()
    assert data[FIGURES_MIMETYPE]["plan"]["budget_total_vnd"] == 300_000
    assert metadata["text/html"]["reportkit"]["document"] == "plan"


def test_a_campaign_of_many_districts_shows_the_largest_and_lists_all_in_an_appendix(make_campaign):
    """Past 20 districts the body's table and chart show the 20 largest and one row for the
    others (totals unchanged); Phụ lục II lists every district."""
    import csv
    import io

    from reportkit.charts import report_charts
    from reportkit.coverage import report_figures, scope
    from reportkit.document import model as m
    from reportkit.document import report_document

    def spread(text: str) -> str:
        rows = list(csv.DictReader(io.StringIO(text)))
        for i, row in enumerate(r for r in rows if r["district"]):
            row["district"] = f"Huyện {i % 25 + 1:02d}"
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    campaign = load_campaign(make_campaign(SAMPLE, **{"units.csv": spread}))
    estimate = budget_estimate(campaign.budget)
    settings = campaign.config.report
    units, activities = scope(campaign.units, campaign.activities)
    figures = report_figures(
        units,
        activities,
        estimate,
        window=(settings.window.start, settings.window.end),
        deadline=settings.deadline,
    )
    assert len(figures.by_district) == 25
    doc = report_document(campaign, estimate, figures, report_charts(figures), activities)
    tables = [b for b in doc.blocks() if isinstance(b, m.Table) and b.columns[1].label == "Địa bàn"]
    body, full = tables
    assert len(body.rows) == 21 and body.rows[-1][1].text == "Các địa bàn khác (5 địa bàn)"
    assert len(full.rows) == 25
    assert body.total == full.total  # the same totals
    heading = doc.parts[2].blocks[0]
    assert [m.plain(t) for t in heading.titles] == ["Phụ lục II", "KẾT QUẢ THEO ĐỊA BÀN"]
    assert m.plain(doc.parts[1].blocks[0].titles[0]) == "Phụ lục I"
    chart = next(c for c in doc.charts() if c.title.startswith("Đơn vị đã triển khai theo địa bàn"))
    assert "20 địa bàn nhiều đơn vị nhất" in chart.title
    assert "Các địa bàn khác (5 địa bàn)" in chart.svg
