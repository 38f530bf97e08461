"""Starts the real action server, Rasa server and web app once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.config import Settings
from bot.launcher import Supervisor
from bot.model_cache import model_path
from bot.store.conversation_log import ConversationLog
from bot.store.database import Database
from bot.store.redaction import Redactor
from tests.tools.local_system import running_system


@dataclass
class RunningSystem:
    settings: Settings
    supervisor: Supervisor

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def chat(self, sender: str, message: Any, **extra: Any) -> requests.Response:
        body = {"sender": sender, "message": message, **extra}
        return requests.post(f"{self.url}/api/chat", json=body, timeout=30)

    def transcript(self, sender: str) -> list[dict[str, Any]]:
        """The conversation log as the web app wrote it to the app database."""
        return ConversationLog(Database(self.settings.database_url), Redactor()).transcript(sender)

    def token(self, **claims: Any) -> str:
        """A signed context token as the demo portal would make it (demo secret in var/)."""
        from bot.web.context_token import ContextVerifier
        from bot.web.embed_demo import DEMO_RESIDENT

        secret = (self.settings.var_dir / "embed_demo_secret").read_text().strip()
        verifier = ContextVerifier("HS256", secret, self.settings.embed_jwt_issuer,
                                   self.settings.embed_jwt_audience, lambda *_: True)
        return verifier.mint({**DEMO_RESIDENT, **claims})

    def say(self, sender: str, message: str, token: str | None = None) -> list[dict[str, Any]]:
        if token:
            reply = self.chat(sender, message, context_token=token)
            assert reply.status_code == 200, reply.text
            return reply.json()
        reply = self.chat(sender, message)
        assert reply.status_code == 200, reply.text
        return reply.json()


def require_model() -> Path:
    model = model_path()
    if not model.exists():
        pytest.fail(f"no trained model at {model}: run `make train` first (make test does)")
    return model


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_system(tmp_path_factory.mktemp("var"), require_model()) as (settings, sup):
        yield RunningSystem(settings, sup)
