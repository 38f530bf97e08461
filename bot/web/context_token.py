"""Signed resident context from a 1177-style portal (a JWT), verified on every request.

The portal signs a short-lived token with the resident's pseudonymous id, municipality,
listed vårdcentral, age band and language. Only a token with a valid signature, issuer,
audience and expiry, whose id (jti) has not been used by another conversation, yields
claims; anything else is refused and the chat continues as anonymous.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHMS = ("HS256", "RS256")
AGE_BANDS = {"0-2": 1.0, "3-12": 7.0, "13-17": 15.0, "18-64": 40.0, "65-84": 75.0,
             "85+": 88.0}
MAX_LIFETIME = dt.timedelta(hours=12)


class ContextTokenError(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ResidentClaims:
    resident_id: str
    municipality: str | None
    listed_unit: str | None
    age_band: str | None
    language: str | None

    @property
    def age_years(self) -> float | None:
        return AGE_BANDS.get(self.age_band or "")

    def metadata(self) -> dict[str, Any]:
        """What the dialogue may know: verified fields only."""
        return {"resident": {"verified": True, "resident_id": self.resident_id,
                             "municipality": self.municipality,
                             "listed_unit": self.listed_unit, "age_band": self.age_band,
                             "age_years": self.age_years, "language": self.language}}


# A replay guard: (jti, sender, expires) -> True if this jti is free or already this sender's.
ClaimJti = Callable[[str, str, dt.datetime], bool]


class ContextVerifier:
    def __init__(self, algorithm: str, key: str, issuer: str, audience: str,
                 claim_jti: ClaimJti) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"EMBED_JWT_ALGORITHM must be one of {ALGORITHMS}")
        self.algorithm = algorithm
        self._key = key
        self.issuer = issuer
        self.audience = audience
        self._claim_jti = claim_jti

    def verify(self, token: str, sender: str) -> ResidentClaims:
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[self.algorithm], issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "iat", "jti", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise ContextTokenError("expired", "the context token has expired") from None
        except jwt.InvalidSignatureError:
            raise ContextTokenError("bad_signature", "the context token's signature is "
                                    "invalid") from None
        except jwt.PyJWTError as error:
            raise ContextTokenError("invalid", f"the context token is invalid: {error}") from None
        issued = dt.datetime.fromtimestamp(claims["iat"], dt.timezone.utc)
        expires = dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc)
        if expires - issued > MAX_LIFETIME:
            raise ContextTokenError("too_long", "the context token lives too long")
        if not self._claim_jti(str(claims["jti"]), sender, expires):
            raise ContextTokenError("replayed", "the context token was used by another "
                                    "conversation")
        age_band = claims.get("age_band")
        if age_band is not None and age_band not in AGE_BANDS:
            raise ContextTokenError("invalid", f"unknown age_band {age_band!r}")
        return ResidentClaims(
            resident_id=str(claims["sub"]),
            municipality=_text(claims.get("municipality")),
            listed_unit=_text(claims.get("listed_unit")),
            age_band=age_band,
            language=_text(claims.get("lang")),
        )

    def mint(self, claims: dict[str, Any], lifetime: dt.timedelta = dt.timedelta(minutes=30)
             ) -> str:
        """A token as a portal would make it: for the embed demo and tests (HS256 only)."""
        if self.algorithm != "HS256":
            raise ValueError("only an HS256 verifier can mint demo tokens")
        now = dt.datetime.now(dt.timezone.utc)
        payload = {"iss": self.issuer, "aud": self.audience, "iat": now, "exp": now + lifetime,
                   "jti": secrets.token_hex(12), **claims}
        return jwt.encode(payload, self._key, algorithm="HS256")


def _text(value: Any) -> str | None:
    return str(value)[:100] if value not in (None, "") else None
