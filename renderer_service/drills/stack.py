"""The production stack on loopback for ``cg3 scale-out``: redis-server, N replicas of the
service and nginx in front, each on a free 127.0.0.1 port, started and stopped with the
service launcher; ``deploy/nginx/nginx.conf`` is used with only its ``# loopback:`` lines
rewritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from renderer_service.drills.client import REPO_ROOT, HttpConnection, RequestError, parse_target
from renderer_service.harness import SERVE, ServiceProcess, free_port, launch_command

HOST = "127.0.0.1"

NGINX_CONF = REPO_ROOT / "deploy" / "nginx" / "nginx.conf"
MARK = "# loopback:"
UPSTREAM = re.compile(r"upstream=(.*?) upstream_status=")
"""The replicas nginx tried for one request, in order ("127.0.0.1:A, 127.0.0.1:B")."""
STOP_SECONDS = 15.0
"""Longest any process is given to stop after SIGTERM before it is killed."""


class MissingProgramError(RuntimeError):
    pass


def loopback_nginx_conf(
    template: str, listen_port: int, upstreams: Sequence[int], folder: Path
) -> str:
    """``deploy/nginx/nginx.conf`` for loopback: each ``# loopback: KIND`` line rewritten."""
    out = []
    seen: Counter[str] = Counter()
    for line in template.splitlines():
        if MARK not in line:
            out.append(line)
            continue
        directive, _, kind = line.partition(MARK)
        kind = kind.strip()
        indent = directive[: len(directive) - len(directive.lstrip())]
        seen[kind] += 1
        if kind == "pid":
            out.append(f"{indent}pid {folder}/nginx.pid;")
        elif kind == "error_log":
            out.append(f"{indent}error_log {folder}/error.log warn;")
        elif kind == "access_log":
            out.append(f"{indent}access_log {folder}/access.log cg3;")
        elif kind == "folder":
            out.append(directive.rstrip().replace("/tmp/nginx-", f"{folder}/"))
        elif kind == "upstream":
            options = directive.strip().removesuffix(";").split()[2:]
            for port in upstreams:
                out.append(f"{indent}server 127.0.0.1:{port} {' '.join(options)};".rstrip())
        elif kind == "listen":
            out.append(f"{indent}listen 127.0.0.1:{listen_port};")
        else:
            raise ValueError(f"unknown loopback marker {kind!r} in {NGINX_CONF.name}")
    missing = {"pid", "error_log", "access_log", "folder", "upstream", "listen"} - set(seen)
    if missing:
        raise ValueError(f"{NGINX_CONF.name} lacks loopback markers: {sorted(missing)}")
    return "\n".join(out) + "\n"


# --- processes -------------------------------------------------------------------------------


def http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    async def fetch() -> tuple[int, dict[str, Any]]:
        connection = HttpConnection(parse_target(f"http://127.0.0.1:{port}"), timeout=timeout)
        raw = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").encode()
        try:
            response = await connection.request(raw)
        finally:
            await connection.aclose()
        try:
            body = json.loads(response.body) if response.body else {}
        except ValueError:
            body = {}
        return response.status, body

    return asyncio.run(fetch())


def wait_until(
    what: str, condition: Callable[[], bool], seconds: float, process: ServiceProcess | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(RequestError, OSError):
            if condition():
                return
        if process is not None and not process.running:
            raise RuntimeError(
                f"{process.name} exited while waiting for {what}:\n{process.output(15)}"
            )
        if time.monotonic() > deadline:
            detail = f":\n{process.output(15)}" if process is not None else ""
            raise RuntimeError(f"{what}: not reached within {seconds:g} s{detail}")
        time.sleep(0.1)


class Stack:
    """redis-server, the replicas and nginx, on loopback; ``close`` stops all of them."""

    def __init__(
        self,
        folder: Path,
        replicas: int,
        workers: int,
        extra_env: dict[str, str] | None = None,
        serve_command: Sequence[str] | None = None,
    ) -> None:
        for program in ("redis-server", "nginx"):
            if shutil.which(program) is None:
                raise MissingProgramError(f"{program} is not installed (apt-get install {program})")
        self.folder = folder
        self.workers = workers
        self.extra_env = dict(extra_env or {})
        self.serve_command = list(serve_command or SERVE)
        self.redis_port = free_port()
        self.replica_ports = [free_port() for _ in range(replicas)]
        self.proxy_port = free_port()
        self.redis = self._redis_process()
        self.replicas = [
            self._replica_process(index, port) for index, port in enumerate(self.replica_ports)
        ]
        self.nginx: ServiceProcess | None = None

    # --- the pieces ----------------------------------------------------------------------

    def _redis_process(self) -> ServiceProcess:
        command = [
            "redis-server", "--bind", "127.0.0.1", "--port", str(self.redis_port),
            "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru",
            "--dir", str(self.folder),
        ]  # fmt: skip
        return ServiceProcess(
            command, port=self.redis_port, log=self.folder / "redis.log", name="redis-server"
        )

    def _replica_process(self, index: int, port: int) -> ServiceProcess:
        env = {
            **os.environ,
            "CG3_CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CG3_WORKER_COUNT": str(self.workers),
            "CG3_CACHE_RETRY_SECONDS": "0.5",
            "CG3_CACHE_TIMEOUT_SECONDS": "0.25",
            **self.extra_env,
        }
        env.pop("CG3_ALLOWED_ORIGINS", None)
        name = f"replica {'ABCDEFGHIJ'[index] if index < 10 else index}"
        return ServiceProcess(
            launch_command(self.serve_command, [], HOST, port),
            port=port,
            base_env=env,
            log=self.folder / f"replica-{index}.log",
            name=name,
            stop_seconds=STOP_SECONDS,
        )

    def start(self) -> None:
        self.redis.start()
        wait_until("redis-server answering", self.redis_answers, 20, self.redis)
        for replica in self.replicas:
            replica.start()
        for replica in self.replicas:
            self.wait_ready(replica)
        self.start_nginx()

    def redis_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    def wait_ready(self, replica: ServiceProcess, seconds: float = 120) -> None:
        replica.wait_ready(seconds)

    def start_nginx(self) -> None:
        self.folder.chmod(0o755)  # nginx's workers (another user when run as root) read it
        conf = self.folder / "nginx.conf"
        conf.write_text(
            loopback_nginx_conf(
                NGINX_CONF.read_text(), self.proxy_port, self.replica_ports, self.folder
            )
        )
        base = [
            "nginx",
            "-p",
            str(self.folder),
            "-e",
            str(self.folder / "error.log"),
            "-c",
            str(conf),
        ]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the loopback config:\n{check.stderr}")
        self.nginx = ServiceProcess(
            [*base, "-g", "daemon off;"],
            port=self.proxy_port,
            log=self.folder / "nginx.out",
            name="nginx",
        )
        self.nginx.start()
        wait_until(
            "nginx answering",
            lambda: http_get(self.proxy_port, "/proxy/health")[0] == 200,
            20,
            self.nginx,
        )

    def restart_replica(self, index: int) -> None:
        replica = self.replicas[index]
        replica.start()
        self.wait_ready(replica)

    def health(self, index: int) -> dict[str, Any]:
        return http_get(self.replica_ports[index], "/health")[1]

    def close(self) -> None:
        processes = [self.nginx, *self.replicas, self.redis]
        for process in processes:
            if process is not None:
                with contextlib.suppress(Exception):
                    process.stop()

    def leftovers(self) -> list[str]:
        processes = [self.nginx, *self.replicas, self.redis]
        return [process.name for process in processes if process is not None and process.running]

    def access_log(self) -> list[str]:
        try:
            return (self.folder / "access.log").read_text(errors="replace").splitlines()
        except OSError:
            return []
