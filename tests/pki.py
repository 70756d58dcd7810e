"""A test PKI made on the spot: a root, a signer, an agency and a timestamp authority; the
images of a signature and a seal; a timestamp server on 127.0.0.1; the CA's services (CRL,
OCSP responder, timestamps) on 127.0.0.1 for long-term signatures; a SoftHSM2 token.

Shared by tests/test_signing.py and bench/sign.py. Nothing here is downloaded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PASSPHRASE = "mật khẩu thử"
PIN = "123456"
SIGNER_NAME = "Trần Thanh Hưng"
AGENCY_NAME = "Sở Thông tin và Truyền thông tỉnh Phú Yên"
SOFTHSM_LIB = Path("/usr/lib/softhsm/libsofthsm2.so")


@dataclass(frozen=True)
class Pki:
    folder: Path
    root_pem: Path
    signer_p12: Path
    agency_p12: Path
    tsa_cert: x509.Certificate
    tsa_key: rsa.RSAPrivateKey
    root_cert: x509.Certificate
    signer_key_pem: Path
    signer_cert_der: Path
    root_key: rsa.RSAPrivateKey | None = None
    #: Every certificate the root issued, by serial number (what the OCSP responder knows).
    issued: dict[int, x509.Certificate] | None = None


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "reportkit test CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _certificate(
    subject, key, issuer, issuer_key, *, ca=False, tsa=False, services: str | None = None, days: float = 365
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if services and not ca:  # where a validator finds the certificate's revocation status
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(services + "crl")], None, None, None)]
            ),
            critical=False,
        ).add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier(services + "ocsp"),
                    )
                ]
            ),
            critical=False,
        )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_pki(folder: Path, services: str | None = None, signer_days: float = 365) -> Pki:
    """Write root.pem, signer.p12 and agency.p12 (passphrase :data:`PASSPHRASE`) into ``folder``.

    ``services`` is the base URL of the CA's CRL and OCSP responder (:class:`PkiServices`),
    written into every certificate the root issues; ``signer_days`` how long the signer's and
    the agency's certificates are valid (the root and the TSA's: ten years).
    """
    folder.mkdir(parents=True, exist_ok=True)
    root_key = _key()
    root = _certificate(
        _name("reportkit test root"), root_key, _name("reportkit test root"), root_key, ca=True, days=3650
    )
    issued: dict[int, x509.Certificate] = {}
    (folder / "root.pem").write_bytes(root.public_bytes(serialization.Encoding.PEM))
    files = {}
    for label, common in (("signer", SIGNER_NAME), ("agency", AGENCY_NAME)):
        key = _key()
        cert = _certificate(_name(common), key, root.subject, root_key, services=services, days=signer_days)
        issued[cert.serial_number] = cert
        files[label] = folder / f"{label}.p12"
        files[label].write_bytes(
            pkcs12.serialize_key_and_certificates(
                label.encode(),
                key,
                cert,
                [root],
                serialization.BestAvailableEncryption(PASSPHRASE.encode()),
            )
        )
        if label == "signer":
            key_pem = folder / "signer-key.pem"
            key_pem.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            cert_der = folder / "signer-cert.der"
            cert_der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    tsa_key = _key()
    tsa = _certificate(
        _name("reportkit test TSA"), tsa_key, root.subject, root_key, tsa=True, services=services, days=3650
    )
    issued[tsa.serial_number] = tsa
    return Pki(
        folder,
        folder / "root.pem",
        files["signer"],
        files["agency"],
        tsa,
        tsa_key,
        root,
        key_pem,
        cert_der,
        root_key,
        issued,
    )


def make_images(folder: Path) -> tuple[Path, Path]:
    """A blue signature and a red seal, transparent PNGs at 300 dpi: 45 × 18 mm and 34 mm wide."""
    from PIL import Image, ImageDraw

    dpi = 300
    px = lambda mm: round(mm / 25.4 * dpi)  # noqa: E731
    signature = Image.new("RGBA", (px(45), px(18)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(signature)
    w, h = signature.size
    points = [(w * i / 40, h * (0.5 + 0.35 * ((-1) ** i) * (i % 5) / 5)) for i in range(41)]
    draw.line(points, fill=(20, 40, 200, 255), width=px(0.8))
    seal = Image.new("RGBA", (px(34), px(34)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    s = seal.size[0]
    draw.ellipse((px(1), px(1), s - px(1), s - px(1)), outline=(220, 20, 20, 255), width=px(1.2))
    draw.ellipse((px(6), px(6), s - px(6), s - px(6)), outline=(220, 20, 20, 255), width=px(0.6))
    draw.regular_polygon((s / 2, s / 2, px(6)), 5, fill=(220, 20, 20, 255))
    paths = folder / "signature.png", folder / "seal.png"
    signature.save(paths[0], dpi=(dpi, dpi))
    seal.save(paths[1], dpi=(dpi, dpi))
    return paths


def _stamper(pki: Pki):
    """pyHanko's dummy timestamp authority, with the test TSA's key and certificate."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    der = pki.tsa_cert.public_bytes(serialization.Encoding.DER)
    key_der = pki.tsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    root = asn1_x509.Certificate.load(pki.root_cert.public_bytes(serialization.Encoding.DER))
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[root],
    )


class TimestampServer:
    """pyHanko's dummy timestamp authority behind an HTTP server on 127.0.0.1 (RFC 3161)."""

    def __init__(self, pki: Pki):
        from asn1crypto import tsp

        stamper = _stamper(pki)
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                response = stamper.request_tsa_response(tsp.TimeStampReq.load(body))
                data = response.dump()
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TimestampServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class PkiServices:
    """A CA's services on 127.0.0.1: its CRL at ``crl``, an OCSP responder at ``ocsp`` (RFC 6960,
    responses built with ``cryptography``) and a timestamp authority at ``tsa``.

    The server is bound first, so that the certificates of :attr:`pki` carry its URLs.
    ``requests`` counts what each path was asked.
    """

    def __init__(self, folder: Path, signer_days: float = 365):
        outer = self
        self.requests: dict[str, int] = {"crl": 0, "ocsp": 0, "tsa": 0}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer(self.path.strip("/"), b"")

            def do_POST(self):
                self._answer(self.path.strip("/"), self.rfile.read(int(self.headers["Content-Length"])))

            def _answer(self, what: str, body: bytes) -> None:
                if what not in outer.requests:
                    self.send_error(404)
                    return
                outer.requests[what] += 1
                data, kind = getattr(outer, "_" + what)(body)
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.tsa_url = self.url + "tsa"
        self.pki = make_pki(folder, services=self.url, signer_days=signer_days)
        self.stamper = _stamper(self.pki)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _crl(self, _body: bytes) -> tuple[bytes, str]:
        now = dt.datetime.now(dt.UTC)
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.pki.root_cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(now + dt.timedelta(days=7))
            .add_extension(x509.CRLNumber(1), critical=False)
            .sign(self.pki.root_key, hashes.SHA256())
        )
        return crl.public_bytes(serialization.Encoding.DER), "application/pkix-crl"

    def _ocsp(self, body: bytes) -> tuple[bytes, str]:
        from cryptography.x509 import ocsp

        request = ocsp.load_der_ocsp_request(body)
        now = dt.datetime.now(dt.UTC)
        response = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=self.pki.issued[request.serial_number],
                issuer=self.pki.root_cert,
                algorithm=hashes.SHA256(),
                cert_status=ocsp.OCSPCertStatus.GOOD,
                this_update=now - dt.timedelta(minutes=5),
                next_update=now + dt.timedelta(days=7),
                revocation_time=None,
                revocation_reason=None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.pki.root_cert)
            .sign(self.pki.root_key, hashes.SHA256())
        )
        return response.public_bytes(serialization.Encoding.DER), "application/ocsp-response"

    def _tsa(self, body: bytes) -> tuple[bytes, str]:
        from asn1crypto import tsp

        return self.stamper.request_tsa_response(
            tsp.TimeStampReq.load(body)
        ).dump(), "application/timestamp-reply"

    def __enter__(self) -> PkiServices:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def make_token(folder: Path, pki: Pki, label: str = "rk-token", key_label: str = "signer") -> dict[str, str]:
    """A SoftHSM2 token holding the signer's key and certificate; the environment to use it."""
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    util, tool = shutil.which("softhsm2-util"), shutil.which("pkcs11-tool")
    assert util and tool, "softhsm2-util and pkcs11-tool (Debian softhsm2, opensc) are needed"
    run = lambda *cmd: subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)  # noqa: E731
    run(util, "--init-token", "--free", "--label", label, "--pin", PIN, "--so-pin", "87654321")
    run(
        util, "--import", str(pki.signer_key_pem), "--token", label, "--label", key_label,
        "--id", "01", "--pin", PIN,
    )  # fmt: skip
    run(
        tool, "--module", str(SOFTHSM_LIB), "--token-label", label, "--login", "--pin", PIN,
        "--write-object", str(pki.signer_cert_der), "--type", "cert", "--label", key_label, "--id", "01",
    )  # fmt: skip
    return {"SOFTHSM2_CONF": str(conf)}
