"""The web app's seal on what it verified: an HMAC over the sender, the resident's claims
and the time, so that the action server trusts a resident's identity only when the web app
vouched for it. Anything else that can reach Rasa or the action server (on the machine or
in the cluster) can no longer claim to be any resident and cancel their bookings.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

SEAL, SEALED_AT = "seal", "sealed_at"
MAX_AGE_SECONDS = 300     # a sealed context is for this message, not for replay later
SECRET_FILE = "internal_secret"


def internal_secret(var_dir: Path, env: dict[str, str] | None = None) -> bytes:
    """INTERNAL_SECRET, or a random one kept in var/ and shared by the local processes."""
    env = dict(os.environ) if env is None else env
    if env.get("INTERNAL_SECRET"):
        return env["INTERNAL_SECRET"].encode()
    path = var_dir / SECRET_FILE
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:   # the first process creates it
            handle.write(secrets.token_hex(32))
        path.chmod(0o600)
    except FileExistsError:
        pass
    return path.read_text(encoding="utf-8").strip().encode()


def _mac(secret: bytes, sender: str, claims: dict[str, Any], sealed_at: int) -> str:
    body = json.dumps({"sender": sender, "claims": claims, "at": sealed_at},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()


def seal(claims: dict[str, Any], sender: str, secret: bytes,
         now: float | None = None) -> dict[str, Any]:
    sealed_at = int(time.time() if now is None else now)
    return {**claims, SEALED_AT: sealed_at, SEAL: _mac(secret, sender, claims, sealed_at)}


def unseal(sealed: dict[str, Any], sender: str, secret: bytes,
           now: float | None = None) -> dict[str, Any] | None:
    """The claims when the seal is right and fresh, else None."""
    claims = {k: v for k, v in sealed.items() if k not in (SEAL, SEALED_AT)}
    sealed_at, mark = sealed.get(SEALED_AT), sealed.get(SEAL)
    if not isinstance(sealed_at, int) or not isinstance(mark, str):
        return None
    if abs((time.time() if now is None else now) - sealed_at) > MAX_AGE_SECONDS:
        return None
    if not hmac.compare_digest(mark, _mac(secret, sender, claims, sealed_at)):
        return None
    return claims
