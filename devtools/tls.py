"""A throwaway self-signed certificate for 127.0.0.1, so both clients pay a real TLS handshake.

RSA-2048 because that is what most public API endpoints still present; the handshake's server-side
cost depends on it. The certificate is its own CA: clients trust it through the PEM file.
Made with the ``cryptography`` package when it is installed, else with the ``openssl`` command.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
RSA_BITS = 2048
VALID_DAYS = 2
OPENSSL_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    made_with: str  # "cryptography" or "openssl"

    def server_context(
        self, context_class: type[ssl.SSLContext] = ssl.SSLContext
    ) -> ssl.SSLContext:
        context = context_class(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


def make_certificate(directory: Path) -> Certificate:
    cert_path, key_path = directory / "sandbox-cert.pem", directory / "sandbox-key.pem"
    if importlib.util.find_spec("cryptography") is not None:
        _with_cryptography(cert_path, key_path)
        return Certificate(cert_path, key_path, "cryptography")
    if shutil.which("openssl") is None:
        raise RuntimeError("need the 'cryptography' package or the 'openssl' command for TLS")
    _with_openssl(cert_path, key_path)
    return Certificate(cert_path, key_path, "openssl")


def _with_cryptography(cert_path: Path, key_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _with_openssl(cert_path: Path, key_path: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            f"rsa:{RSA_BITS}",
            "-nodes",
            "-sha256",
            "-days",
            str(VALID_DAYS),
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
            "-keyout",
            str(key_path),
            "-out",
            str(cert_path),
        ],
        check=True,
        capture_output=True,
        timeout=OPENSSL_TIMEOUT_SECONDS,
    )
