"""Our own rules for the Kubernetes manifests in deploy/kubernetes.

`make k8s-validate` checks them against the real Kubernetes schemas (kubernetes-validate,
in its own venv: it needs a newer jsonschema than Rasa 3.6 allows). These tests run in the
project venv and read the YAML with PyYAML. They check what no schema knows. Every variable
the manifests set must be one bot/config.py reads, and each process's environment must be a
valid configuration for it. The commands must be the launcher's. The probes must hit the
real health paths and ports. RASA_URLS must name exactly the StatefulSet's replicas. The
PDBs, HPAs, Services and NetworkPolicies must point at workloads that exist. Resources must
cover the measured figures, every pod must be locked down, and one image must run everywhere.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config import RASA_TF_ENV, ROOT, Settings, lock_store_env
from bot.launcher import process_specs

MANIFESTS = ROOT / "deploy" / "kubernetes"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
IMAGE = "registry.example/vardlotsen:VERSION"
CONFIG_MAP, SECRET = "vardlotsen-config", "vardlotsen-secrets"
MODEL_IN_IMAGE = "models/vardlotsen.tar.gz"    # relative to WORKDIR /app (deploy/Dockerfile)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")

# Read by bot/ but never passed on by the launcher (Settings.process_env): each process reads
# these secrets itself. The file named must still read the name, so this list cannot go stale.
SECRET_ONLY = {
    "INTERNAL_SECRET": "bot/seal.py",        # the web app's seal on verified resident context
    "EMBED_JWT_KEY": "bot/config.py",
    "EMBED_JWT_KEY_FILE": "bot/config.py",
}

# What each process must get, and why.
NEEDS = {
    # Its retention purge deletes old conversations from the tracker store too
    # (bot/store/retention.py); it seals resident context (INTERNAL_SECRET); several web
    # pods share rate limits and the per-conversation lock through Redis; /healthz checks
    # ACTION_URL.
    "web": {"DATABASE_URL", "TRACKER_STORE_URL", "REDIS_URL", "INTERNAL_SECRET", "RASA_URLS",
            "ACTION_URL", "WEB_HOST", "WEB_PORT"},
    # endpoints.yml: action endpoint, tracker store and lock store.
    # One TensorFlow thread per replica, as the launcher starts them.
    "rasa": {"ACTION_URL", "TRACKER_STORE_URL", *lock_store_env("redis://redis:6379/0"),
             *RASA_TF_ENV},
    # The booking and care directory (DATABASE_URL); checks the web app's seal.
    "actions": {"DATABASE_URL", "INTERNAL_SECRET"},
    "seed": {"DATABASE_URL", "DIRECTORY_EXPORT"},
}

# Resident memory measured (README: make bench, make soak, the seed step with /usr/bin/time),
# the highest figure seen for each process, in MiB.
MEASURED_MIB = {"rasa": 1502, "actions": 90, "web": 86, "seed": 83}

# The health paths each process really serves: Rasa's GET / ("Hello from Rasa") and
# rasa_sdk's GET /health are what bot/web/health.py checks; the web app's readiness is its
# chat page, which answers while Rasa is down (see test_web_readiness_survives_a_rasa_outage).
PROBES: dict[str, dict[str, tuple[str, str | None]]] = {
    "web": {"readinessProbe": ("httpGet", "/"), "livenessProbe": ("tcpSocket", None)},
    "rasa": {"startupProbe": ("httpGet", "/"), "readinessProbe": ("httpGet", "/"),
             "livenessProbe": ("httpGet", "/")},
    "actions": {"startupProbe": ("httpGet", "/health"), "readinessProbe": ("httpGet", "/health"),
                "livenessProbe": ("httpGet", "/health")},
    "seed": {},
}


# --- reading the manifests -------------------------------------------------------------------

def _load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


@functools.cache
def kustomization() -> dict[str, Any]:
    return _load(MANIFESTS / "kustomization.yaml")[0]


@functools.cache
def applied() -> list[dict[str, Any]]:
    """Every resource `kubectl apply -k deploy/kubernetes` creates."""
    return [doc for name in kustomization()["resources"] for doc in _load(MANIFESTS / name)]


def by_kind(kind: str, docs: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in (applied() if docs is None else docs)
            if d["kind"] == kind}


@functools.cache
def config_map() -> dict[str, str]:
    return by_kind("ConfigMap")[CONFIG_MAP]["data"]


@functools.cache
def example_secret() -> dict[str, str]:
    return by_kind("Secret", _load(MANIFESTS / "secret.example.yaml"))[SECRET]["stringData"]


def workloads() -> list[dict[str, Any]]:
    return [d for d in applied() if d["kind"] in WORKLOAD_KINDS]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]


def component(workload: dict[str, Any]) -> str:
    return workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]


def containers() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for workload in workloads():
        spec = pod_spec(workload)
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield workload, container


def the_container(name: str) -> dict[str, Any]:
    [container] = [c for w, c in containers() if component(w) == name]
    return container


def env_names(container: dict[str, Any]) -> set[str]:
    names = {e["name"] for e in container.get("env", [])}
    for source in container.get("envFrom", []):
        names |= set(by_kind("ConfigMap")[source["configMapRef"]["name"]]["data"])
    return names


def resolved_env(container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it, with the example Secret's
    values: the ConfigMap (envFrom) first, then env, which wins."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(by_kind("ConfigMap")[source["configMapRef"]["name"]]["data"])
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == SECRET, entry
        if ref["key"] in example_secret():
            env[entry["name"]] = example_secret()[ref["key"]]
        else:
            assert ref.get("optional"), f"{entry['name']}: {ref['key']} is not in the Secret"
    return env


def settings_of(name: str) -> Settings:
    return Settings.from_env(resolved_env(the_container(name)))


def container_port(container: dict[str, Any], port: int | str) -> int:
    """A probe's or Service's port (a number or a port name) as the container's number."""
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    if isinstance(port, str):
        assert port in ports, f"{container['name']} has no port named {port}"
        return ports[port]
    assert port in ports.values(), f"{container['name']} does not expose {port}"
    return port


def listening_port(name: str) -> int:
    """The port the process itself listens on: its --port argument, or WEB_PORT."""
    command = the_container(name)["command"]
    if "--port" in command:
        return int(command[command.index("--port") + 1])
    return settings_of(name).web_port


def selects(selector: dict[str, str], workload: dict[str, Any]) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity ("250m", "1", "128Mi", "2Gi") as a number of cores or bytes."""
    text = str(value)
    for suffix, factor in (("Ki", 2**10), ("Mi", 2**20), ("Gi", 2**30), ("m", 1e-3)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def dockerfile_env() -> dict[str, str]:
    """The ENV of deploy/Dockerfile's last stage (one ENV instruction with key=value pairs)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    last_stage = text.rsplit("\nFROM ", 1)[1]
    env: dict[str, str] = {}
    for line in last_stage.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env


# --- the files -------------------------------------------------------------------------------

def test_kustomization_applies_every_manifest_but_the_examples() -> None:
    files = sorted(p.name for p in MANIFESTS.glob("*.yaml")
                   if p.name != "kustomization.yaml" and not p.name.endswith(".example.yaml"))
    assert sorted(kustomization()["resources"]) == files
    # The real Secret is never in git or in the kustomization.
    assert "Secret" not in {d["kind"] for d in applied()}
    for doc in applied():
        assert doc["metadata"]["labels"]["app.kubernetes.io/name"] == "vardlotsen", doc["kind"]
    names = [(d["kind"], d["metadata"]["name"]) for d in applied()]
    assert len(names) == len(set(names)), names


def test_one_image_runs_everywhere() -> None:
    images = {c["image"] for _, c in containers()}
    assert images == {IMAGE}
    repository = IMAGE.rsplit(":", 1)[0]
    assert [i["name"] for i in kustomization()["images"]] == [repository]
    assert {component(w) for w in workloads()} == set(NEEDS)


def test_the_commands_are_the_launchers() -> None:
    """The same commands as `python -m bot run` starts (bot/launcher.py), with the model the
    image carries and Rasa listening beyond loopback."""
    settings = Settings.from_env({"RASA_URL": "http://rasa:5005",
                                  "ACTION_URL": "http://actions:5055"})
    specs = {spec.name: spec for spec in process_specs(settings, Path(MODEL_IN_IMAGE))}

    def in_a_pod(argv: list[str]) -> list[str]:
        return ["python" if a == sys.executable else "0.0.0.0" if a == "127.0.0.1" else a
                for a in argv]

    for name in ("web", "rasa", "actions"):
        assert the_container(name)["command"] == in_a_pod(specs[name].argv), name
    assert the_container("seed")["command"] == ["python", "-m", "bot", "seed"]
    # The launcher binds the action server to loopback with SANIC_HOST; in a pod it must not.
    assert "SANIC_HOST" not in env_names(the_container("actions"))
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert "WORKDIR /app" in dockerfile and MODEL_IN_IMAGE in dockerfile


# --- the environment -------------------------------------------------------------------------

def test_every_variable_set_is_one_bot_config_reads() -> None:
    scaled = Settings.from_env({"REDIS_URL": "redis://redis:6379/0",
                                "TRACKER_STORE_URL": "postgresql://db/tracker",
                                "RASA_URLS": "http://rasa-0.rasa:5005,http://rasa-1.rasa:5005"})
    known = set(scaled.process_env()) | set(SECRET_ONLY)
    for name, source in SECRET_ONLY.items():
        assert f'"{name}"' in (ROOT / source).read_text(encoding="utf-8"), (name, source)
    assert set(config_map()) <= known, set(config_map()) - known
    assert set(example_secret()) <= known, set(example_secret()) - known
    for workload, container in containers():
        unknown = env_names(container) - known
        assert not unknown, f"{component(workload)} sets {sorted(unknown)}"
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] == entry["name"], entry   # one name in both places
                assert ref["key"] in example_secret() or ref.get("optional"), entry


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_each_process_gets_a_valid_configuration(name: str) -> None:
    container = the_container(name)
    assert NEEDS[name] <= env_names(container), NEEDS[name] - env_names(container)
    settings = settings_of(name)    # raises SystemExit on a configuration error
    env = resolved_env(container)
    if "DATABASE_URL" in NEEDS[name]:
        assert settings.database_url.startswith("postgresql://")
    if "TRACKER_STORE_URL" in NEEDS[name]:
        assert settings.tracker_store_url.startswith("postgresql://")
    if name == "rasa":
        # The lock store variables are what bot/config.py derives from REDIS_URL.
        assert {k: env[k] for k in lock_store_env("redis://x")} == lock_store_env(
            example_secret()["REDIS_URL"])
    if name == "web":
        assert settings.web_host == "0.0.0.0"
        assert settings.web_port == container_port(container, "http")
        assert settings.embed_demo is False and settings.staff_cookie_secure is True
    if name == "seed":
        assert settings.directory_export is None    # empty: no demo import in a cluster


def test_web_and_actions_share_the_seal_secret() -> None:
    def source(name: str) -> dict[str, Any]:
        [entry] = [e for e in the_container(name)["env"] if e["name"] == "INTERNAL_SECRET"]
        assert not entry["valueFrom"]["secretKeyRef"].get("optional")
        return entry["valueFrom"]

    assert source("web") == source("actions")


def test_every_process_has_a_writable_var_dir_home_and_tmp() -> None:
    """The root filesystem is read-only: VARDLOTSEN_VAR_DIR, HOME (Rasa's global config),
    MPLCONFIGDIR and /tmp (Rasa unpacks its model there) are emptyDir volumes."""
    image_env = dockerfile_env()
    var_dir = config_map()["VARDLOTSEN_VAR_DIR"]
    wanted = {var_dir, image_env["HOME"], image_env["MPLCONFIGDIR"], "/tmp"}
    for workload, container in containers():
        volumes = {v["name"]: v for v in pod_spec(workload).get("volumes", [])}
        mounts = [m["mountPath"] for m in container.get("volumeMounts", [])
                  if "emptyDir" in volumes[m["name"]] and not m.get("readOnly")]
        for path in wanted:
            assert any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts), (
                component(workload), path)


# --- probes, ports and the replicas ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PROBES))
def test_probes_hit_the_real_health_paths_and_ports(name: str) -> None:
    container = the_container(name)
    expected = PROBES[name]
    assert {k for k in ("startupProbe", "readinessProbe", "livenessProbe")
            if k in container} == set(expected)
    for kind, (handler, path) in expected.items():
        probe = container[kind]
        assert handler in probe, (name, kind)
        assert probe[handler].get("path") == path, (name, kind)
        assert container_port(container, probe[handler]["port"]) == listening_port(name)
    health = (ROOT / "bot" / "web" / "health.py").read_text(encoding="utf-8")
    assert 'url + "/"' in health and 'url + "/health"' in health


def test_rasa_gets_time_to_load_its_model() -> None:
    probe = the_container("rasa")["startupProbe"]
    assert probe["periodSeconds"] * probe["failureThreshold"] >= 180   # 30-84 s measured


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_web_readiness_survives_a_rasa_outage(aiohttp_client: Any, tmp_path: Path) -> None:
    """Why the web pods' readiness is not /healthz: with Rasa and the action servers down,
    the web app must stay in the Service, because it still answers residents safely."""
    from bot.store import migrate
    from bot.store.database import Database
    from bot.web.app import create_app

    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    nowhere = f"http://127.0.0.1:{free_port()}"
    settings = dataclasses.replace(
        Settings.from_env({}), database_url=url, var_dir=tmp_path, upstream_timeout=1.0,
        rasa_urls=(nowhere,), action_urls=(nowhere,), retention_interval_hours=0)
    client = await aiohttp_client(create_app(settings, Database(url)))
    readiness = the_container("web")["readinessProbe"]["httpGet"]["path"]
    assert (await client.get(readiness)).status == 200
    assert (await client.get("/healthz")).status == 503
    reply = await client.post("/api/chat", json={"sender": "k8s-1", "message":
                                                 "min pappa har plötsligt sluddrigt tal"})
    assert reply.status == 200 and "112" in await reply.text()


def test_rasa_urls_name_exactly_the_statefulsets_replicas() -> None:
    [rasa] = by_kind("StatefulSet").values()
    service = by_kind("Service")[rasa["spec"]["serviceName"]]
    assert service["spec"]["clusterIP"] == "None"           # headless: a name per pod
    assert selects(service["spec"]["selector"], rasa)
    [port] = service["spec"]["ports"]
    pod_port = container_port(the_container("rasa"), port["targetPort"])
    assert port["port"] == pod_port == listening_port("rasa")
    replicas = rasa["spec"]["replicas"]
    expected = tuple(f"http://{rasa['metadata']['name']}-{i}.{service['metadata']['name']}:"
                     f"{port['port']}" for i in range(replicas))
    assert settings_of("web").rasa_urls == expected
    assert replicas >= 2   # a single replica would make the PDB block every node drain


def test_action_url_is_the_actions_service() -> None:
    url = re.fullmatch(r"http://([a-z0-9-]+):(\d+)", config_map()["ACTION_URL"])
    assert url, config_map()["ACTION_URL"]
    service = by_kind("Service")[url[1]]
    [actions] = [w for w in workloads() if component(w) == "actions"]
    assert selects(service["spec"]["selector"], actions)
    [port] = service["spec"]["ports"]
    assert port["port"] == int(url[2])
    assert container_port(the_container("actions"), port["targetPort"]) == listening_port(
        "actions")


def test_every_service_selects_one_workload_and_a_port_it_exposes() -> None:
    for name, service in by_kind("Service").items():
        targets = [w for w in workloads() if selects(service["spec"]["selector"], w)]
        assert len(targets) == 1, name
        [container] = pod_spec(targets[0])["containers"]
        for port in service["spec"]["ports"]:
            container_port(container, port["targetPort"])


# --- availability and scaling ----------------------------------------------------------------

def test_disruption_budgets_cover_existing_workloads() -> None:
    budgets = by_kind("PodDisruptionBudget")
    assert {"rasa", "web"} <= set(budgets)
    for name, budget in budgets.items():
        targets = [w for w in workloads()
                   if selects(budget["spec"]["selector"]["matchLabels"], w)]
        assert len(targets) == 1 and targets[0]["kind"] != "Job", name
        assert budget["spec"]["minAvailable"] == 1, name


def test_autoscalers_scale_the_stateless_deployments_only() -> None:
    scalers = by_kind("HorizontalPodAutoscaler")
    assert set(scalers) == {"web", "actions"}
    deployments = by_kind("Deployment")
    for name, scaler in scalers.items():
        target = scaler["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment"), name
        assert target["name"] in deployments, name
        # The HPA owns the count: a spec.replicas would reset it on every apply.
        assert "replicas" not in deployments[target["name"]]["spec"], name
        assert scaler["spec"]["minReplicas"] >= 2, name
        [metric] = scaler["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu", name
        # CPU utilisation is relative to the request, so there must be one.
        [container] = pod_spec(deployments[target["name"]])["containers"]
        assert "cpu" in container["resources"]["requests"], name


# --- resources and security ------------------------------------------------------------------

def test_every_container_has_requests_and_limits_above_what_was_measured() -> None:
    for workload, container in containers():
        name = component(workload)
        resources = container["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, (name, resource)
        measured = MEASURED_MIB[name] * 2**20
        assert quantity(resources["requests"]["memory"]) >= measured, name
        assert quantity(resources["limits"]["memory"]) >= 1.25 * measured, name
    # Rasa uses one full core under load.
    assert quantity(the_container("rasa")["resources"]["requests"]["cpu"]) >= 1


def test_every_pod_is_locked_down() -> None:
    user = re.search(r"^USER (\d+)", DOCKERFILE.read_text(encoding="utf-8"), re.M)
    assert user, "deploy/Dockerfile names no numeric USER"
    for workload, container in containers():
        name = component(workload)
        pod = pod_spec(workload)
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == int(user[1]), name
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["capabilities"] == {"drop": ["ALL"]}, name
        assert not context.get("privileged"), name


def test_only_web_reaches_rasa_and_only_rasa_and_web_reach_actions() -> None:
    policies = list(by_kind("NetworkPolicy").values())

    def allowed_into(name: str) -> tuple[set[str], set[int]]:
        [workload] = [w for w in workloads() if component(w) == name]
        sources: set[str] = set()
        ports: set[int] = set()
        for policy in policies:
            if not selects(policy["spec"]["podSelector"]["matchLabels"], workload):
                continue
            assert "Ingress" in policy["spec"]["policyTypes"]
            for rule in policy["spec"].get("ingress", []):
                assert "from" in rule, f"{policy['metadata']['name']} is open to anyone"
                for peer in rule["from"]:
                    assert set(peer) == {"podSelector"}, peer
                    sources.add(peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"])
                ports |= {p["port"] for p in rule["ports"]}
        return sources, ports

    assert allowed_into("rasa") == ({"web"}, {listening_port("rasa")})
    # The web app's /healthz checks the action servers too.
    assert allowed_into("actions") == ({"rasa", "web"}, {listening_port("actions")})
    assert allowed_into("seed") == (set(), set())


def test_rasa_gets_the_launchers_tensorflow_threads() -> None:
    env = resolved_env(the_container("rasa"))
    assert {name: env.get(name) for name in RASA_TF_ENV} == RASA_TF_ENV
