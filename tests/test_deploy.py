"""The deployment files in ``deploy/``, checked without Docker or a cluster.

No image is built and no cluster runs here, so each file is checked with what can read it:
the Dockerfile with a Dockerfile parser, compose.yaml against the Compose Specification's JSON
schema, the Kubernetes manifests against Kubernetes' own OpenAPI schemas (strict: unknown
fields fail), and the nginx config with nginx's own parser (``crossplane``); each is also
checked against the service's settings, so a limit changed in one place shows up here.
"""

from __future__ import annotations

import inspect
import json
import re
from importlib import resources
from typing import Any

import crossplane
import jsonschema
import kubernetes_validate
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from renderer_service.config import Settings

from .conftest import REPO

DEPLOY = REPO / "deploy"
KUBERNETES_VERSION = "1.37.0"
DEFAULTS = Settings()
SHUTDOWN_BOUND = DEFAULTS.shutdown_grace_seconds + DEFAULTS.render_timeout_seconds


# --- Dockerfile ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(fileobj=(DEPLOY / "Dockerfile").open("rb"))
    return parser


def instructions(parser: DockerfileParser, name: str) -> list[str]:
    return [item["value"] for item in parser.structure if item["instruction"] == name]


def final_stage(parser: DockerfileParser) -> list[dict[str, Any]]:
    starts = [i for i, item in enumerate(parser.structure) if item["instruction"] == "FROM"]
    return list(parser.structure[starts[-1] :])


def test_the_image_is_multi_stage_on_debian_12_with_uv_and_the_lock(
    dockerfile: DockerfileParser,
) -> None:
    froms = instructions(dockerfile, "FROM")
    assert len(froms) >= 3  # uv, build, runtime
    assert froms[-1].startswith("python:${PYTHON_VERSION}-slim-bookworm")
    assert "ARG PYTHON_VERSION=3.11" in dockerfile.content
    runs = " ".join(instructions(dockerfile, "RUN"))
    assert "uv sync --locked --no-dev --no-install-project" in runs
    assert "uv sync --locked --no-dev --no-editable" in runs
    # the runtime stage takes the built environment, not uv or the source tree
    runtime_copies = [
        item["value"] for item in final_stage(dockerfile) if item["instruction"] == "COPY"
    ]
    assert all("--from=build" in value for value in runtime_copies)


def test_the_image_copies_files_the_repository_has(dockerfile: DockerfileParser) -> None:
    for value in instructions(dockerfile, "COPY"):
        if "--from=" in value:
            continue
        *sources, _ = value.split()
        for source in sources:
            assert (REPO / source).exists(), source
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    for needed in ("!pyproject.toml", "!uv.lock", "!README.md", "!renderer_service/"):
        assert needed in ignore
    # the sprite pack is package data, so it is inside the installed package
    assert (REPO / "renderer_service" / "packs" / "lifegen" / "spritesIndex.json").exists()


def test_the_image_runs_as_a_non_root_user_and_checks_readiness(
    dockerfile: DockerfileParser,
) -> None:
    stage = final_stage(dockerfile)
    users = [item["value"] for item in stage if item["instruction"] == "USER"]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    (healthcheck,) = [item["value"] for item in stage if item["instruction"] == "HEALTHCHECK"]
    assert "/health/ready" in healthcheck
    assert "8001" in instructions(dockerfile, "EXPOSE")
    (command,) = [item["value"] for item in stage if item["instruction"] == "CMD"]
    assert json.loads(command)[:2] == ["cg3", "serve"]


def test_the_image_build_fills_numbas_cache_and_the_runtime_reads_it(
    dockerfile: DockerfileParser,
) -> None:
    """A new replica is ready in seconds: the kernels are compiled at build time (the same
    way start-up compiles them) into a cache the runtime stage carries and points numba at."""
    structure = dockerfile.structure
    runtime_start = structure.index(final_stage(dockerfile)[0])
    build = structure[:runtime_start]
    cache_envs = [
        item["value"].split("=", 1)[1]
        for item in build
        if item["instruction"] == "ENV" and item["value"].startswith("NUMBA_CACHE_DIR=")
    ]
    assert len(cache_envs) == 1
    cache = cache_envs[0]
    env_at = next(i for i, item in enumerate(build) if item["value"].startswith("NUMBA_CACHE_DIR"))
    compiles = [
        item["value"]
        for item in build[env_at:]
        if item["instruction"] == "RUN" and "fill_kernel_cache()" in item["value"]
    ]
    assert len(compiles) == 1, "no step compiles the kernels after NUMBA_CACHE_DIR is set"
    assert f"ls -A {cache}" in compiles[0]  # the build fails if nothing was cached
    runtime = final_stage(dockerfile)
    copies = [item["value"].split() for item in runtime if item["instruction"] == "COPY"]
    assert any("--from=build" in words and words[-2:] == [cache, cache] for words in copies), (
        "the runtime stage does not take the cache"
    )
    runtime_env = " ".join(item["value"] for item in runtime if item["instruction"] == "ENV")
    assert f"NUMBA_CACHE_DIR={cache}" in runtime_env


def test_the_kernel_cache_step_runs_what_start_up_runs() -> None:
    from renderer_service.app import startup

    source = inspect.getsource(startup.fill_kernel_cache)
    for step in ("load_packs_and_compile", "warm_up()", "draw_warm_up_cat"):
        assert step in source


# --- compose.yaml -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def compose_errors(document: dict[str, Any]) -> list[str]:
    schema_file = resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema = json.loads(schema_file.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(document)]


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any]) -> None:
    assert compose_errors(compose) == []
    broken = json.loads(json.dumps(compose))
    broken["services"]["renderer"]["deploy"]["replicaz"] = 2
    assert compose_errors(broken)  # the schema does catch a misspelt key


def test_compose_runs_replicas_behind_nginx_sharing_redis(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"renderer", "redis", "proxy"}
    renderer = services["renderer"]
    assert renderer["deploy"]["replicas"] >= 2
    assert renderer["environment"]["CG3_CACHE_URL"] == "redis://redis:6379/0"
    build = renderer["build"]
    assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    grace = int(re.fullmatch(r"(\d+)s", renderer["stop_grace_period"]).group(1))  # type: ignore[union-attr]
    assert grace > SHUTDOWN_BOUND
    redis_args = services["redis"]["command"]
    assert redis_args[redis_args.index("--maxmemory-policy") + 1] == "allkeys-lru"
    assert "--maxmemory" in redis_args
    (mount,) = services["proxy"]["volumes"]
    assert mount.split(":")[:2] == ["./nginx/nginx.conf", "/etc/nginx/nginx.conf"]
    assert (DEPLOY / "nginx" / "nginx.conf").exists()


# --- Kubernetes ---------------------------------------------------------------------------


def manifests() -> list[dict[str, Any]]:
    documents = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        documents.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return documents


def by_kind(kind: str, name: str) -> dict[str, Any]:
    (found,) = [
        doc for doc in manifests() if doc["kind"] == kind and doc["metadata"]["name"] == name
    ]
    return found


@pytest.mark.parametrize(
    "manifest",
    manifests(),
    ids=lambda doc: f"{doc['kind']}/{doc['metadata']['name']}",
)
def test_each_kubernetes_manifest_is_valid_against_the_api_schema(
    manifest: dict[str, Any],
) -> None:
    kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_an_unknown_field_in_a_manifest_would_be_caught() -> None:
    broken = json.loads(json.dumps(by_kind("Deployment", "cg3-renderer")))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_deployment_probes_readiness_and_liveness_separately() -> None:
    deployment = by_kind("Deployment", "cg3-renderer")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert pod["terminationGracePeriodSeconds"] > SHUTDOWN_BOUND + 5  # with the preStop pause
    assert container["resources"]["requests"]["cpu"]
    assert container["resources"]["limits"]["memory"]
    env = {item["name"]: item["value"] for item in container["env"]}
    redis_service = by_kind("Service", "cg3-redis")
    assert (
        env["CG3_CACHE_URL"] == f"redis://cg3-redis:{redis_service['spec']['ports'][0]['port']}/0"
    )
    assert pod["securityContext"]["runAsNonRoot"] is True


def test_the_service_and_autoscaler_point_at_the_deployment() -> None:
    deployment = by_kind("Deployment", "cg3-renderer")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = by_kind("Service", "cg3-renderer")
    assert service["spec"]["selector"].items() <= labels.items()
    autoscaler = by_kind("HorizontalPodAutoscaler", "cg3-renderer")
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    (metric,) = autoscaler["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    redis = by_kind("Deployment", "cg3-redis")
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--maxmemory-policy") + 1] == "allkeys-lru"


# --- nginx --------------------------------------------------------------------------------


def directives(block: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Every directive called ``name`` in ``block`` and the blocks inside it."""
    found = []
    for item in block:
        if item["directive"] == name:
            found.append(item)
        found.extend(directives(item.get("block", []), name))
    return found


def size_bytes(text: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    return int(text[:-1]) * units[text[-1].lower()] if text[-1].isalpha() else int(text)


def seconds(text: str) -> float:
    return float(text.removesuffix("s"))


@pytest.fixture(scope="module")
def nginx() -> list[dict[str, Any]]:
    parsed = crossplane.parse(str(DEPLOY / "nginx" / "nginx.conf"), single=True)
    assert parsed["errors"] == []
    config: list[dict[str, Any]] = parsed["config"][0]["parsed"]
    return config


def test_nginx_balances_least_connections_over_kept_alive_upstreams(
    nginx: list[dict[str, Any]],
) -> None:
    (upstream,) = directives(nginx, "upstream")
    names = [item["directive"] for item in upstream["block"]]
    assert "least_conn" in names
    assert "keepalive" in names
    (server,) = directives(upstream["block"], "server")
    assert any(arg.startswith("max_fails=") for arg in server["args"])  # passive checks
    assert directives(nginx, "proxy_http_version")[0]["args"] == ["1.1"]
    (next_upstream,) = directives(nginx, "proxy_next_upstream")
    assert {"error", "http_503", "non_idempotent"} <= set(next_upstream["args"])


def test_nginx_limits_match_the_service(nginx: list[dict[str, Any]]) -> None:
    (body,) = directives(nginx, "client_max_body_size")
    assert size_bytes(body["args"][0]) == DEFAULTS.max_body_bytes
    (buffer,) = directives(nginx, "client_body_buffer_size")
    assert size_bytes(buffer["args"][0]) >= DEFAULTS.max_body_bytes
    (read,) = directives(nginx, "proxy_read_timeout")
    assert seconds(read["args"][0]) > DEFAULTS.render_timeout_seconds
    (upstream,) = directives(nginx, "upstream")
    (idle,) = directives(upstream["block"], "keepalive_timeout")
    # nginx drops an idle upstream connection before cg3 serve would, so it never reuses one
    # the replica is closing
    assert seconds(idle["args"][0]) < DEFAULTS.keep_alive_seconds
    (headers,) = directives(nginx, "large_client_header_buffers")
    assert size_bytes(headers["args"][1]) == DEFAULTS.max_header_bytes
    (header_timeout,) = directives(nginx, "client_header_timeout")
    assert seconds(header_timeout["args"][0]) == DEFAULTS.header_timeout_seconds
    (body_timeout,) = directives(nginx, "client_body_timeout")
    assert seconds(body_timeout["args"][0]) == DEFAULTS.body_timeout_seconds
    client_idle = [item for item in directives(nginx, "keepalive_timeout") if item not in [idle]]
    assert [seconds(item["args"][0]) for item in client_idle] == [DEFAULTS.keep_alive_seconds]
    pages = {tuple(item["args"][:-2]): item["args"][-1] for item in directives(nginx, "error_page")}
    assert pages[("413",)] == "@body_too_large"


def test_nginx_bounds_the_connections_of_one_client_below_the_services_cap(
    nginx: list[dict[str, Any]],
) -> None:
    (zone,) = directives(nginx, "limit_conn_zone")
    key, name = zone["args"][0], zone["args"][1].split("=")[1].split(":")[0]
    assert key == "$binary_remote_addr"  # per client address
    (limit,) = directives(nginx, "limit_conn")
    assert limit["args"][0] == name
    assert 0 < int(limit["args"][1]) < DEFAULTS.max_connections
    (status,) = directives(nginx, "limit_conn_status")
    assert status["args"] == ["503"]
    pages = {tuple(item["args"][:-2]): item["args"][-1] for item in directives(nginx, "error_page")}
    assert pages[("503",)] == "@too_many_connections"  # in the service's error shape


def test_nginx_caches_code_pictures_and_passes_cache_control(nginx: list[dict[str, Any]]) -> None:
    locations = {" ".join(item["args"]): item for item in directives(nginx, "location")}
    code = locations[r"~ ^/render/[^/]+\.png$"]
    names = {item["directive"] for item in code["block"]}
    assert {"proxy_cache", "proxy_cache_key", "proxy_pass"} <= names
    assert not directives(nginx, "proxy_hide_header")  # Cache-Control and ETag pass through
    assert not directives(nginx, "proxy_ignore_headers")


def test_the_error_bodies_nginx_sends_are_in_the_service_shape(
    nginx: list[dict[str, Any]],
) -> None:
    for location in directives(nginx, "location"):
        if not location["args"][0].startswith("@"):
            continue
        (answer,) = directives(location["block"], "return")
        body = json.loads(answer["args"][1])
        assert set(body) == {"error", "detail", "field", "errors"}


def test_the_production_page_says_the_images_were_not_built() -> None:
    page = (REPO / "docs" / "production.md").read_text()
    assert page.startswith("# Running in production\n")
    assert "not built" in page
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file():
            assert f"`{path.relative_to(REPO).as_posix()}`" in page, path


def test_deploy_files_name_no_path_of_a_build_machine() -> None:
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert "/home/" not in path.read_text(), path
