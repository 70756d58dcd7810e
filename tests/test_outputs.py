"""Outputs that belong together: what a build publishes, what it sets aside, and the refusal of
``package`` and ``sign`` to pass on a document whose inputs changed since it was built."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportkit.outputs import StaleOutputError, check_fresh, current, superseded

from .conftest import RESULTS, ROOT
from .pki import PASSPHRASE, make_pki

ID = "results-2022"


def reportkit(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "RK_PASS": PASSPHRASE},
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def campaign(tmp_path) -> Path:
    folder = tmp_path / "results"
    shutil.copytree(RESULTS, folder)
    return folder


def _outputs(out: Path, doc: str) -> set[str]:
    manifest = json.loads((out / ID / "manifest.json").read_text(encoding="utf-8"))
    return set(manifest[doc]["outputs"])


def _aside(out: Path) -> dict[str, bytes]:
    """Every file set aside under <out>/.reportkit/aside/, by name."""
    return {p.name: p.read_bytes() for p in (out / ".reportkit" / "aside").rglob("*") if p.is_file()}


@pytest.mark.kernel
def test_a_build_to_fewer_formats_sets_the_others_aside(campaign, tmp_path):
    out = tmp_path / "out"
    assert reportkit("build", campaign, "--doc", "plan", "--to", "html,docx", "--out", out).returncode == 0
    word = (out / ID / "plan.docx").read_bytes()

    result = reportkit("build", campaign, "--doc", "plan", "--to", "html", "--out", out)

    assert result.returncode == 0, result.stderr
    assert not (out / ID / "plan.docx").exists()
    assert _aside(out) == {"plan.docx": word}
    assert _outputs(out, "plan") == {"plan.html", "plan.ipynb"}
    assert {p.name for p in current(out / ID, "plan")} == {"plan.html", "plan.ipynb"}


@pytest.mark.kernel
@pytest.mark.pdf
def test_package_refuses_a_report_whose_inputs_changed_and_names_the_build_to_run(campaign, tmp_path):
    out = tmp_path / "out"
    built = reportkit(
        "build", campaign, "--doc", "report", "--to", "pdf,docx", "-p", "appendix_rows=3", "--out", out
    )
    assert built.returncode == 0, built.stderr
    with (campaign / "activities.csv").open("a", encoding="utf-8") as f:  # what collect does
        f.write("H6,b-office,2022-05-20,poster,3,,,,,\n")
    campaign_before, outputs_before = snapshot(campaign), snapshot(out)

    refused = reportkit("package", campaign, "--built", out)

    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "activities.csv" in refused.stderr
    command = refused.stderr.partition("build it again: ")[2].strip()
    assert command == f"reportkit build {campaign} --doc report --to pdf,docx -p appendix_rows=3 --out {out}"
    assert snapshot(campaign) == campaign_before and snapshot(out) == outputs_before

    rebuilt = reportkit(*shlex.split(command)[1:])
    assert rebuilt.returncode == 0, rebuilt.stderr
    packed = reportkit("package", campaign, "--built", out)
    assert packed.returncode == 0, packed.stderr
    assert (out / ID / f"{ID}.zip").is_file()


@pytest.mark.kernel
@pytest.mark.pdf
def test_sign_refuses_a_stale_pdf_and_a_rebuild_sets_the_old_signed_copy_aside(campaign, tmp_path):
    pki = make_pki(tmp_path / "pki")
    out = tmp_path / "out"
    assert reportkit("build", campaign, "--doc", "plan", "--to", "pdf", "--out", out).returncode == 0
    pdf = out / ID / "plan.pdf"
    sign = ("--role", "signer", "--p12", pki.signer_p12, "--pass-env", "RK_PASS")
    assert reportkit("sign", pdf, *sign).returncode == 0
    signed = pdf.with_name("plan.signed.pdf").read_bytes()

    budget = (campaign / "budget.csv").read_text(encoding="utf-8")
    (campaign / "budget.csv").write_text(budget.replace(',2,"350.000"', ',3,"350.000"'), encoding="utf-8")
    before = snapshot(out)
    refused = reportkit("sign", pdf, *sign)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "budget.csv" in refused.stderr and "reportkit build" in refused.stderr
    assert snapshot(out) == before

    assert reportkit("build", campaign, "--doc", "plan", "--to", "pdf", "--out", out).returncode == 0
    assert not pdf.with_name("plan.signed.pdf").exists()  # signed from the old PDF
    assert _aside(out)["plan.signed.pdf"] == signed
    assert reportkit("sign", pdf, *sign).returncode == 0


def test_a_signed_copy_of_the_new_pdf_is_kept_and_one_of_an_old_pdf_is_not(tmp_path):
    import hashlib

    (tmp_path / "plan.pdf").write_bytes(b"%PDF new")
    (tmp_path / "plan.signed.pdf").write_bytes(b"%PDF new + signature")
    (tmp_path / "plan.agency.pdf").write_bytes(b"%PDF old + signature")
    kept = {"plan.pdf": hashlib.sha256(b"%PDF new").hexdigest(), "plan.ipynb": "…"}
    before = {"outputs": {"plan.pdf": "…", "plan.docx": "…", "plan.html": "…"}}
    (tmp_path / "plan.html").write_text("old page")
    (tmp_path / "report.html").write_text("another document's page")

    assert superseded(tmp_path, "plan", kept, before) == ["plan.agency.pdf", "plan.html"]


@pytest.mark.kernel
def test_check_fresh_names_a_file_added_to_the_campaign_and_a_document_never_built(campaign, tmp_path):
    out = tmp_path / "out"
    assert reportkit("build", campaign, "--doc", "report", "--to", "html", "--out", out).returncode == 0
    assert check_fresh(out / ID, "report", campaign)["outputs"]

    (campaign / "evidence").mkdir(exist_ok=True)
    (campaign / "evidence" / "new.jpg").write_bytes(b"a photo collect brought in")
    with pytest.raises(StaleOutputError) as stale:
        check_fresh(out / ID, "report", campaign)
    assert stale.value.changed == ("evidence/new.jpg",)
    assert stale.value.command == f"reportkit build {campaign} --doc report --to html --out {out}"

    with pytest.raises(StaleOutputError) as never:
        check_fresh(out / ID, "plan", campaign)
    assert never.value.changed == () and "--doc plan" in never.value.command
