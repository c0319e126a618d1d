"""Signing keys: what the environment may hold, what the JWKS publishes, and the key generator."""

import json

import pytest
from joserfc.jwk import ECKey, OKPKey

from users.adapters.signing_keys import (
    SigningKeyError,
    SigningKeys,
    generate_signing_key,
    main,
    parse_key,
    parse_public_keys,
)


def _private_json(key: OKPKey) -> str:
    return json.dumps(key.as_dict(private=True))


def test_generated_key_is_a_private_ed25519_jwk_with_a_kid() -> None:
    data = generate_signing_key().as_dict(private=True)
    assert (data["kty"], data["crv"], data["alg"], data["use"]) == ("OKP", "Ed25519", "Ed25519", "sig")
    assert data["kid"] and data["d"]


def test_the_key_command_prints_a_key_the_service_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    main()
    printed = capsys.readouterr().out
    assert parse_key(printed, private=True).is_private


def test_jwks_publishes_public_parts_only_current_key_first() -> None:
    current, previous = generate_signing_key(), generate_signing_key()
    jwks = SigningKeys(current, [OKPKey.import_key(previous.as_dict(private=False))]).jwks()
    assert [key["kid"] for key in jwks["keys"]] == [current.kid, previous.kid]
    assert all("d" not in key for key in jwks["keys"])
    assert all(key["alg"] == "Ed25519" and key["use"] == "sig" for key in jwks["keys"])


def test_previous_keys_parse_from_a_jwks_and_the_current_key_is_not_listed_twice() -> None:
    current, previous = generate_signing_key(), generate_signing_key()
    text = json.dumps({"keys": [previous.as_dict(private=False), current.as_dict(private=False)]})
    jwks = SigningKeys(current, parse_public_keys(text)).jwks()
    assert [key["kid"] for key in jwks["keys"]] == [current.kid, previous.kid]


def test_a_key_labelled_eddsa_is_accepted() -> None:
    data = generate_signing_key().as_dict(private=True) | {"alg": "EdDSA"}
    keys = SigningKeys(parse_key(json.dumps(data), private=True))
    assert keys.jwks()["keys"][0]["alg"] == "Ed25519"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        (json.dumps(ECKey.generate_key("P-256", auto_kid=True).as_dict(private=True)), "OKP"),
        (
            json.dumps({k: v for k, v in generate_signing_key().as_dict(private=True).items() if k != "kid"}),
            "kid",
        ),
        (json.dumps(generate_signing_key().as_dict(private=False)), "private"),
        (json.dumps(generate_signing_key().as_dict(private=True) | {"alg": "RS256"}), "alg"),
    ],
)
def test_unusable_signing_keys_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(SigningKeyError, match=message):
        parse_key(text, private=True)


def test_a_public_key_cannot_sign() -> None:
    public = OKPKey.import_key(generate_signing_key().as_dict(private=False))
    with pytest.raises(SigningKeyError, match="private"):
        SigningKeys(public)


def test_previous_keys_must_be_a_jwks() -> None:
    with pytest.raises(SigningKeyError, match="JWKS"):
        parse_public_keys(json.dumps([generate_signing_key().as_dict(private=False)]))
