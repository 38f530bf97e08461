"""Signed resident context: what is trusted and what is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.store import migrate
from bot.store.database import Database
from bot.store.token_uses import TokenUses
from bot.web.context_token import ContextTokenError, ContextVerifier

SECRET = "test-secret-that-is-long-enough-for-hs256"
CLAIMS = {"sub": "r-1", "municipality": "Kungälv", "listed_unit": "narhalsan_lundby",
          "age_band": "18-64", "lang": "sv"}


@pytest.fixture
def uses(tmp_path: Path) -> TokenUses:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return TokenUses(Database(url))


@pytest.fixture
def verifier(uses: TokenUses) -> ContextVerifier:
    return ContextVerifier("HS256", SECRET, "portal", "vardlotsen", uses.claim)


def test_valid_token_gives_verified_metadata(verifier: ContextVerifier) -> None:
    claims = verifier.verify(verifier.mint(CLAIMS), "web-a")
    assert claims.listed_unit == "narhalsan_lundby" and claims.age_years == 40.0
    assert claims.metadata()["resident"]["verified"] is True


def test_same_token_again_in_the_same_conversation_is_fine(verifier: ContextVerifier) -> None:
    token = verifier.mint(CLAIMS)
    verifier.verify(token, "web-a")
    assert verifier.verify(token, "web-a").resident_id == "r-1"


def test_token_replayed_in_another_conversation_is_refused(verifier: ContextVerifier) -> None:
    token = verifier.mint(CLAIMS)
    verifier.verify(token, "web-a")
    with pytest.raises(ContextTokenError) as error:
        verifier.verify(token, "web-b")
    assert error.value.code == "replayed"


def test_expired_token_is_refused(verifier: ContextVerifier) -> None:
    token = verifier.mint(CLAIMS, lifetime=dt.timedelta(seconds=-5))
    with pytest.raises(ContextTokenError) as error:
        verifier.verify(token, "web-a")
    assert error.value.code == "expired"


def test_tampered_token_is_refused(verifier: ContextVerifier) -> None:
    header, payload, signature = verifier.mint(CLAIMS).split(".")
    forged = jwt.encode({**jwt.decode(verifier.mint(CLAIMS), options={"verify_signature": False}),
                         "listed_unit": "someone_else"}, "wrong-secret-wrong-secret-wrong!!",
                        algorithm="HS256")
    for token in (f"{header}.{payload}.{signature[::-1]}", forged):
        with pytest.raises(ContextTokenError) as error:
            verifier.verify(token, "web-a")
        assert error.value.code in ("bad_signature", "invalid")


def test_wrong_issuer_audience_algorithm_and_missing_claims(uses: TokenUses) -> None:
    other = ContextVerifier("HS256", SECRET, "another-portal", "vardlotsen", uses.claim)
    verifier = ContextVerifier("HS256", SECRET, "portal", "vardlotsen", uses.claim)
    with pytest.raises(ContextTokenError):
        verifier.verify(other.mint(CLAIMS), "web-a")
    unsigned = jwt.encode({"sub": "x"}, None, algorithm="none")
    with pytest.raises(ContextTokenError):
        verifier.verify(unsigned, "web-a")
    no_jti = jwt.encode({"sub": "x", "iss": "portal", "aud": "vardlotsen",
                         "iat": dt.datetime.now(dt.timezone.utc),
                         "exp": dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)},
                        SECRET, algorithm="HS256")
    with pytest.raises(ContextTokenError):
        verifier.verify(no_jti, "web-a")


def test_rs256_public_key(uses: TokenUses) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    verifier = ContextVerifier("RS256", public_pem, "portal", "vardlotsen", uses.claim)
    now = dt.datetime.now(dt.timezone.utc)
    token = jwt.encode({**CLAIMS, "iss": "portal", "aud": "vardlotsen", "iat": now,
                        "exp": now + dt.timedelta(minutes=5), "jti": "rs-1"},
                       private, algorithm="RS256")
    assert verifier.verify(token, "web-a").municipality == "Kungälv"
    hs = jwt.encode({**CLAIMS, "iss": "portal", "aud": "vardlotsen", "iat": now,
                     "exp": now + dt.timedelta(minutes=5), "jti": "rs-2"},
                    public_pem.encode()[:32], algorithm="HS256")
    with pytest.raises(ContextTokenError):  # algorithm confusion is refused
        verifier.verify(hs, "web-a")
