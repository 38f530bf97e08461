"""Trains the Rasa model only when its inputs changed.

The model's name carries a fingerprint of everything that shapes it (config, domain,
training data, custom NLU components, Rasa version). A model with that name in models/
or in the user cache (~/.cache/vardlotsen/models, shared between clones) is reused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT

MODELS_DIR = ROOT / "models"
TRAINING_INPUTS = ("config.yml", "domain.yml", "nlu_data", "bot/nlp")
KEEP_MODELS = 3


def cache_dir() -> Path:
    base = os.environ.get("VARDLOTSEN_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "vardlotsen", "models"
    )
    return Path(base)


def _input_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*")
                            if p.is_file() and p.suffix in (".yml", ".yaml", ".py", ".txt"))
    return files


def fingerprint(root: Path = ROOT) -> str:
    import rasa  # the Rasa version changes the model format

    digest = hashlib.sha256(f"rasa={rasa.__version__}\n".encode())
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return MODELS_DIR / f"vardlotsen-{fingerprint(root)}.tar.gz"


def ensure_model(force: bool = False) -> Path:
    """Returns the path of an up-to-date model, training one if needed."""
    target = model_path()
    cached = cache_dir() / target.name
    if target.exists() and not force:
        print(f"Model is up to date: {target.relative_to(ROOT)}", flush=True)
        return target
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    if cached.exists() and not force:
        shutil.copy2(cached, target)
        print(f"Model taken from cache: {cached}", flush=True)
        return target
    print("Training data changed or no model yet: training (this takes a few minutes)...",
          flush=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "nlu_data",
        "--out", str(MODELS_DIR), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise SystemExit("rasa train failed: see its error above (often a problem in nlu_data/ "
                         "or domain.yml; `make validate` explains data problems)")
    if not target.exists():
        raise SystemExit(f"rasa train finished but {target} is missing")
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, cached)
    except OSError as error:  # a read-only home must not fail the run
        print(f"Could not cache the model in {cached.parent}: {error}", flush=True)
    _prune(keep=target)
    return target


def _prune(keep: Path) -> None:
    models = sorted(MODELS_DIR.glob("vardlotsen-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        if old != keep:
            old.unlink(missing_ok=True)
