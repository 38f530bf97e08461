"""Settings read from the environment, with defaults that run on one machine.

Every process (launcher, web app, Rasa, action server) reads the same variables, so one
place decides ports, paths and database URLs.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIRECTORY_EXPORT = ROOT / "bot" / "content" / "directory" / "hsa_export_sample.json"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"Configuration error: {name} must be an integer, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"Configuration error: {name} must be a number, got {raw!r}") from None


def _embed_demo(env: Mapping[str, str]) -> bool:
    """The demo page signs a test identity itself: off unless EMBED_DEMO=1 (a reverse proxy
    on the same host makes even a loopback-only service public), and never together with a
    real key, which portals trust."""
    enabled = (env.get("EMBED_DEMO") or "").strip() == "1"
    if enabled and _key(env):
        raise SystemExit("Configuration error: EMBED_DEMO=1 cannot be combined with "
                         "EMBED_JWT_KEY: the demo page would sign test identities with it")
    return enabled


def _directory_export(env: Mapping[str, str]) -> Path | None:
    """The HSA export the seed step imports: unset = our demo sample, empty = none."""
    if "DIRECTORY_EXPORT" not in env:
        return SAMPLE_DIRECTORY_EXPORT
    raw = env["DIRECTORY_EXPORT"].strip()
    return Path(raw).resolve() if raw else None


def _urls(env: Mapping[str, str], prefix: str, port: int) -> tuple[str, ...]:
    """RASA_URLS (comma-separated) or RASA_URL, else RASA_REPLICAS local ports from
    RASA_PORT on; the same for ACTION."""
    listed = [u.strip().rstrip("/") for u in (env.get(f"{prefix}_URLS") or "").split(",")
              if u.strip()]
    if listed:
        return tuple(listed)
    if env.get(f"{prefix}_URL"):
        return (env[f"{prefix}_URL"].rstrip("/"),)
    count = _int(env, f"{prefix}_REPLICAS", 1)
    if count < 1:
        raise SystemExit(f"Configuration error: {prefix}_REPLICAS must be at least 1")
    return tuple(f"http://127.0.0.1:{port + i}" for i in range(count))


def _proxies(raw: str) -> tuple[str, ...]:
    """TRUSTED_PROXIES: addresses or networks ("10.0.0.0/8"), each checked here, once."""
    proxies = tuple(p.strip() for p in raw.split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SystemExit(f"Configuration error: TRUSTED_PROXIES: {proxy!r} is no address "
                             "or network") from None
    return proxies


# One TensorFlow thread pool thread per Rasa process: inference on one message at a time
# gains nothing from a pool, and on two cores the pools of two replicas fight each other
# (2026-12-07, one replica, 20 conversations: basics 26.6 -> 29.2 msg/s, triage 17.5 -> 18.0).
RASA_TF_ENV = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


def lock_store_env(redis_url: str | None) -> dict[str, str]:
    """endpoints.yml's lock store: Rasa's RedisLockStore when REDIS_URL is set (replicas
    then see each other's locks), else in memory."""
    if not redis_url:
        return {"LOCK_STORE_TYPE": "in_memory", "LOCK_STORE_HOST": "127.0.0.1",
                "LOCK_STORE_PORT": "6379", "LOCK_STORE_DB": "0", "LOCK_STORE_PASSWORD": ""}
    parts = urlsplit(redis_url)
    return {"LOCK_STORE_TYPE": "redis", "LOCK_STORE_HOST": parts.hostname or "127.0.0.1",
            "LOCK_STORE_PORT": str(parts.port or 6379),
            "LOCK_STORE_DB": parts.path.strip("/") or "0",
            "LOCK_STORE_PASSWORD": parts.password or ""}


def _key(env: Mapping[str, str]) -> str | None:
    if env.get("EMBED_JWT_KEY"):
        return env["EMBED_JWT_KEY"]
    path = env.get("EMBED_JWT_KEY_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise SystemExit(f"Configuration error: EMBED_JWT_KEY_FILE: {error}") from None
    return None


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    tracker_store_url: str
    web_host: str
    web_port: int
    rasa_port: int
    action_port: int
    max_message_chars: int
    upstream_timeout: float
    log_level: str
    embed_jwt_algorithm: str = "HS256"
    embed_jwt_key: str | None = None        # HS256 secret or RS256 public key (PEM)
    embed_jwt_issuer: str = "vardlotsen-demo-portal"
    embed_jwt_audience: str = "vardlotsen"
    embed_allowed_origins: tuple[str, ...] = ()
    embed_demo: bool = False                # serve /embed-demo with tokens signed here
    retention_days: int = 90                # conversations older than this are purged
    audit_retention_days: int = 730         # the audit log is kept longer
    retention_interval_hours: float = 24    # the web app purges this often; 0 = only by hand
    staff_cookie_secure: bool | None = None  # None: Secure unless the browser came via localhost
    redis_url: str | None = None            # shared rate limits across web processes
    trusted_proxies: tuple[str, ...] = ()   # whose X-Forwarded-For is believed
    # Requests per minute; 0 switches a limit off.
    chat_limit_per_address: int = 120
    chat_limit_per_conversation: int = 30
    login_limit_per_address: int = 20
    login_limit_per_account: int = 10
    directory_export: Path | None = None    # HSA export imported by the seed step
    # Scale-out: the Rasa replicas and action servers (one each by default, on the ports
    # above; RASA_REPLICAS/ACTION_REPLICAS start more locally, RASA_URLS/ACTION_URLS name
    # them elsewhere, as on Kubernetes).
    rasa_urls: tuple[str, ...] = ("http://127.0.0.1:5005",)
    action_urls: tuple[str, ...] = ("http://127.0.0.1:5055",)

    @property
    def rasa_url(self) -> str:
        """The first (or only) Rasa replica."""
        return self.rasa_urls[0]

    @property
    def action_url(self) -> str:
        return self.action_urls[0]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        var_dir = Path(env.get("VARDLOTSEN_VAR_DIR") or ROOT / "var").resolve()
        rasa_port = _int(env, "RASA_PORT", 5005)
        action_port = _int(env, "ACTION_PORT", 5055)
        rasa_urls = _urls(env, "RASA", rasa_port)
        action_urls = _urls(env, "ACTION", action_port)
        tracker_store_url = (env.get("TRACKER_STORE_URL")
                             or f"sqlite:///{var_dir / 'tracker.db'}")
        if len(rasa_urls) > 1 and tracker_store_url.startswith("sqlite"):
            raise SystemExit("Configuration error: several Rasa replicas need a shared tracker "
                             "store: set TRACKER_STORE_URL=postgresql://...")
        return cls(
            var_dir=var_dir,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'vardlotsen.db'}",
            tracker_store_url=tracker_store_url,
            web_host=env.get("WEB_HOST") or "127.0.0.1",
            web_port=_int(env, "WEB_PORT", 8080),
            rasa_port=rasa_port,
            action_port=action_port,
            rasa_urls=rasa_urls,
            action_urls=action_urls,
            max_message_chars=_int(env, "MAX_MESSAGE_CHARS", 2000),
            upstream_timeout=_float(env, "UPSTREAM_TIMEOUT", 8.0),
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            embed_jwt_algorithm=(env.get("EMBED_JWT_ALGORITHM") or "HS256").upper(),
            embed_jwt_key=_key(env),
            embed_jwt_issuer=env.get("EMBED_JWT_ISSUER") or "vardlotsen-demo-portal",
            embed_jwt_audience=env.get("EMBED_JWT_AUDIENCE") or "vardlotsen",
            embed_allowed_origins=tuple(
                o.strip().rstrip("/") for o in (env.get("EMBED_ALLOWED_ORIGINS") or "").split(",")
                if o.strip()),
            embed_demo=_embed_demo(env),
            retention_days=_int(env, "RETENTION_DAYS", 90),
            audit_retention_days=_int(env, "AUDIT_RETENTION_DAYS", 730),
            retention_interval_hours=_float(env, "RETENTION_INTERVAL_HOURS", 24.0),
            staff_cookie_secure=(None if not env.get("STAFF_COOKIE_SECURE")
                                 else env["STAFF_COOKIE_SECURE"] == "1"),
            redis_url=env.get("REDIS_URL") or None,
            trusted_proxies=_proxies(env.get("TRUSTED_PROXIES") or ""),
            chat_limit_per_address=_int(env, "CHAT_LIMIT_PER_ADDRESS", 120),
            chat_limit_per_conversation=_int(env, "CHAT_LIMIT_PER_CONVERSATION", 30),
            login_limit_per_address=_int(env, "LOGIN_LIMIT_PER_ADDRESS", 20),
            login_limit_per_account=_int(env, "LOGIN_LIMIT_PER_ACCOUNT", 10),
            directory_export=_directory_export(env),
        )

    def process_env(self) -> dict[str, str]:
        """Variables every child process needs so that all of them agree."""
        return {
            "VARDLOTSEN_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": self.tracker_store_url,
            "WEB_HOST": self.web_host,
            "WEB_PORT": str(self.web_port),
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "ACTION_URL": self.action_url,
            "MAX_MESSAGE_CHARS": str(self.max_message_chars),
            "UPSTREAM_TIMEOUT": str(self.upstream_timeout),
            "LOG_LEVEL": self.log_level,
            "EMBED_JWT_ALGORITHM": self.embed_jwt_algorithm,
            "EMBED_JWT_ISSUER": self.embed_jwt_issuer,
            "EMBED_JWT_AUDIENCE": self.embed_jwt_audience,
            "EMBED_ALLOWED_ORIGINS": ",".join(self.embed_allowed_origins),
            "EMBED_DEMO": "1" if self.embed_demo else "0",
            "RETENTION_DAYS": str(self.retention_days),
            "AUDIT_RETENTION_DAYS": str(self.audit_retention_days),
            "RETENTION_INTERVAL_HOURS": str(self.retention_interval_hours),
            "STAFF_COOKIE_SECURE": {None: "", True: "1", False: "0"}[self.staff_cookie_secure],
            **({"REDIS_URL": self.redis_url} if self.redis_url else {}),
            "TRUSTED_PROXIES": ",".join(self.trusted_proxies),
            "CHAT_LIMIT_PER_ADDRESS": str(self.chat_limit_per_address),
            "CHAT_LIMIT_PER_CONVERSATION": str(self.chat_limit_per_conversation),
            "LOGIN_LIMIT_PER_ADDRESS": str(self.login_limit_per_address),
            "LOGIN_LIMIT_PER_ACCOUNT": str(self.login_limit_per_account),
            "DIRECTORY_EXPORT": str(self.directory_export or ""),
            "RASA_URLS": ",".join(self.rasa_urls),
            **RASA_TF_ENV,   # read by TensorFlow in the Rasa processes
            "ACTION_URLS": ",".join(self.action_urls),
            **lock_store_env(self.redis_url),
        }
