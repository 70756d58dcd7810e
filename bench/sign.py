"""How long a signature takes: the sample plan (number 5, 7 May 2021) signed by the signer and
then by the agency, B-B from PKCS#12 files, B-T through a timestamp server on 127.0.0.1, and
from a SoftHSM2 token; then ``reportkit verify``.

    .venv/bin/python bench/sign.py [--runs 5]

Two figures for each: the whole ``reportkit sign`` command (a fresh process: Python, imports,
the passphrase, signing, writing) and the library call :func:`reportkit.signing.sign_pdf`
alone, in a process that has imported everything already. Medians of ``--runs`` runs. The
certificates are 2048-bit RSA keys made on the spot (tests/pki.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SAMPLE, machine, reportkit, timed

sys.path.insert(0, str(ROOT))
from tests.pki import PASSPHRASE, PIN, SOFTHSM_LIB, TimestampServer, make_images, make_pki, make_token


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    from reportkit.signing import KeySource, sign_pdf
    from reportkit.verification import verify_pdf

    os.environ["RK_PASS"], os.environ["RK_PIN"] = PASSPHRASE, PIN
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        timed(reportkit("build", str(SAMPLE), "--doc", "plan", "--to", "pdf", "--out", str(tmp / "out"),
                        "--quiet", "-p", "number=5", "-p", "issued_on=2021-05-07"))  # fmt: skip
        plan = tmp / "out" / "wtisd-2021-phu-yen" / "plan.pdf"
        pki = make_pki(tmp / "pki")
        signature, seal = make_images(tmp)
        os.environ.update(make_token(tmp / "token", pki))
        signer = KeySource(p12=pki.signer_p12, pass_env="RK_PASS")
        agency = KeySource(p12=pki.agency_p12, pass_env="RK_PASS")
        token = KeySource(pkcs11_lib=SOFTHSM_LIB, token="rk-token", key="signer", pass_env="RK_PIN")
        signed, both = tmp / "signer.pdf", tmp / "both.pdf"
        sign_pdf(plan, "signer", signer, output=signed, image=signature)
        sign_pdf(signed, "agency", agency, output=both, image=seal)

        def command(*args, secret: str = "RK_PASS") -> float:
            return timed(reportkit("sign", *map(str, args), "--pass-env", secret))

        def library(pdf, role, key, **kwargs) -> float:
            started = time.perf_counter()
            sign_pdf(pdf, role, key, output=tmp / "lib.pdf", **kwargs)
            return time.perf_counter() - started

        results: dict[str, dict[str, float]] = {}
        out = ("--output", tmp / "c.pdf")
        cases = {
            "signer, B-B, PKCS#12, image": (
                (plan, "--role", "signer", "--p12", pki.signer_p12, "--image", signature, *out),
                "RK_PASS",
                (plan, "signer", signer, {"image": signature}),
            ),
            "agency, B-B, PKCS#12, seal (second signature)": (
                (signed, "--role", "agency", "--p12", pki.agency_p12, "--image", seal, *out),
                "RK_PASS",
                (signed, "agency", agency, {"image": seal}),
            ),
            "signer, PKCS#11 token (SoftHSM2), image": (
                (plan, "--role", "signer", "--pkcs11-lib", SOFTHSM_LIB, "--token", "rk-token",
                 "--key", "signer", "--image", signature, *out),
                "RK_PIN",
                (plan, "signer", token, {"image": signature}),
            ),
        }  # fmt: skip
        for name, (args, secret, (pdf, role, key, kwargs)) in cases.items():
            results[name] = {
                "command_s": _median([command(*args, secret=secret) for _ in range(runs)]),
                "library_s": _median([library(pdf, role, key, **kwargs) for _ in range(runs)]),
            }
        with TimestampServer(pki) as tsa:
            name = "signer, B-T (timestamp server on 127.0.0.1), image"
            times = [
                command(plan, "--role", "signer", "--p12", pki.signer_p12, "--image", signature,
                        "--tsa", tsa.url, *out)
                for _ in range(runs)
            ]  # fmt: skip
            results[name] = {
                "command_s": _median(times),
                "library_s": _median(
                    [library(plan, "signer", signer, image=signature, tsa=tsa.url) for _ in range(runs)]
                ),
            }
        verify = reportkit("verify", str(both), "--trust", str(pki.root_pem))
        verify_times = [timed(verify) for _ in range(runs)]
        started = time.perf_counter()
        assert verify_pdf(both, trust=pki.root_pem).ok
        results["verify, two signatures, --trust"] = {
            "command_s": _median(verify_times),
            "library_s": round(time.perf_counter() - started, 3),
        }
    report = {"runs": runs, "machine": machine(), "results": results}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return report


if __name__ == "__main__":
    main()
