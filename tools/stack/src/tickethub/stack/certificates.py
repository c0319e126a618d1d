"""Private CAs with one certificate each: a serving certificate for a TLS endpoint (the operator's
admission webhook), a client certificate for a user (the API server's identity towards kubelets).

The kube-apiserver only calls webhooks over TLS and verifies them against the caBundle it is given,
and a kubelet only lets in clients its CA vouches for, so the local stack mints its own CAs once per
state directory and keeps them there.
"""

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALIDITY = dt.timedelta(days=3650)  # a local development CA; `make clean` throws it away


@dataclass(frozen=True)
class Certificate:
    ca_file: Path
    cert_file: Path
    key_file: Path

    @property
    def ca_pem(self) -> bytes:
        return self.ca_file.read_bytes()


def serving_certificate(directory: Path, *, common_name: str, ip: str) -> Certificate:
    """The CA and the certificate for `ip` kept in `directory`, made the first time they are asked for."""
    names = [x509.IPAddress(ipaddress.ip_address(ip)), x509.DNSName(common_name)]
    return _issued(
        directory,
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        alternative_names=names,
    )


def client_certificate(directory: Path, *, common_name: str, organization: str) -> Certificate:
    """A CA and a client certificate of user `common_name` in group `organization` (how Kubernetes reads
    a certificate's subject), kept in `directory` and made the first time they are asked for."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    return _issued(directory, subject, usage=ExtendedKeyUsageOID.CLIENT_AUTH, alternative_names=[])


def _issued(
    directory: Path,
    subject: x509.Name,
    *,
    usage: x509.ObjectIdentifier,
    alternative_names: list[x509.GeneralName],
) -> Certificate:
    result = Certificate(directory / "ca.crt", directory / "tls.crt", directory / "tls.key")
    if all(path.exists() for path in (result.ca_file, result.cert_file, result.key_file)):
        return result
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # tolerate a little clock skew
    common_name = subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name!s} local CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _builder(subject, ca_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if alternative_names:
        leaf = leaf.add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
    result.key_file.touch(mode=0o600)
    result.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    result.cert_file.write_bytes(leaf.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))
    result.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return result


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + _VALIDITY)
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
