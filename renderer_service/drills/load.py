"""``cg3 load``: virtual users ramp up, hold and ramp down against POST /render (loopback only).

    cg3 load [--url http://127.0.0.1:8001 | --start] [--users 40]
        [--ramp-up 10] [--hold 20] [--ramp-down 10] [--think 0.2] [--mixed]
        [--max-requests 100000] [--health-interval 2]

Each virtual user holds one keep-alive connection and loops: send a render, wait for the answer,
think, repeat. Users start evenly over the ramp-up, all run through the hold, and leave evenly
over the ramp-down, each finishing its request in flight. The run stops by itself at the end of
the profile or at the request cap, whichever comes first. With ``--start`` it starts the
service itself (``cg3 serve`` on a free loopback port, this environment's ``CG3_*`` settings
applying) and stops it afterwards.

The summary gives requests, requests/s, latency percentiles, answers by status, 503 answers by
reason and requests that got no answer at all. The exit code is 1 if any request got no answer
(connection refused or dropped mid-request, timeout, unreadable answer), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renderer_service.drills.client import (
    DEFAULT_URL,
    PUBLIC_CASES,
    SINGLE_COLOUR_WHITE,
    HttpConnection,
    NotLoopbackError,
    Target,
    json_request,
    load_public_cases,
    parse_target,
)
from renderer_service.drills.record import (
    Recorder,
    RequestBudget,
    cpu_line,
    cpu_seconds,
    event_loop,
    health_scalars,
    poll_health,
    run,
    summary_lines,
    timed_request,
    verdict_line,
)
from renderer_service.harness import running_service

MAX_PROFILE_SECONDS = 3600.0
MAX_USERS = 2000


@dataclass(frozen=True)
class Profile:
    """k6-style ramping virtual users: 0 -> users over ramp_up, hold, users -> 0 over ramp_down."""

    users: int
    ramp_up: float
    hold: float
    ramp_down: float
    think: float

    @property
    def duration(self) -> float:
        return self.ramp_up + self.hold + self.ramp_down

    def window(self, user: int) -> tuple[float, float]:
        """When virtual user ``user`` (0-based) starts and stops, in seconds from the start.

        Starts are spread evenly over the ramp-up (the first at 0 s), stops evenly over the
        ramp-down (the last-started user leaves first, the first user at the very end).
        """
        start = self.ramp_up * user / self.users
        stop = self.ramp_up + self.hold + self.ramp_down * (self.users - user) / self.users
        return start, stop


@dataclass
class Run:
    recorder: Recorder
    budget: RequestBudget
    clock: Callable[[], float]
    running_users: int = 0
    connections_opened: int = 0


async def virtual_user(
    user: int,
    profile: Profile,
    target: Target,
    requests: Sequence[bytes],
    timeout: float,
    state: Run,
) -> None:
    start, stop = profile.window(user)
    clock = state.clock
    delay = start - clock()
    if delay > 0:
        await asyncio.sleep(delay)
    connection = HttpConnection(target, timeout=timeout)
    state.running_users += 1
    turn = user  # users start at different cats in mixed mode
    try:
        while clock() < stop and state.budget.take():
            raw = requests[turn % len(requests)]
            turn += 1
            if not await timed_request(connection, raw, state.recorder):
                await asyncio.sleep(max(profile.think, 0.1))  # nothing listening: do not spin
                continue
            pause = min(profile.think, stop - clock())
            if pause > 0:
                await asyncio.sleep(pause)
    finally:
        state.running_users -= 1
        state.connections_opened += connection.opened
        await connection.aclose()


async def progress(state: Run, profile: Profile, interval: float, stop: asyncio.Event) -> None:
    """One line every ``interval`` s: elapsed, users, answers and errors so far, recent rate."""
    last_answered, last_moment = 0, 0.0
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
            return
        except TimeoutError:
            pass
        moment = state.clock()
        recorder = state.recorder
        rate = (recorder.answered - last_answered) / (moment - last_moment)
        last_answered, last_moment = recorder.answered, moment
        print(
            f"[{moment:6.1f} s] users {state.running_users:3d}/{profile.users} "
            f"answered {recorder.answered} ({rate:.1f}/s) 503 {recorder.statuses.get(503, 0)} "
            f"errors {recorder.unanswered}",
            flush=True,
        )


async def load_test(args: argparse.Namespace, target: Target, requests: list[bytes]) -> int:
    profile = Profile(args.users, args.ramp_up, args.hold, args.ramp_down, args.think)
    began = time.perf_counter()
    state = Run(Recorder(), RequestBudget(args.max_requests), lambda: time.perf_counter() - began)
    cpu_before = cpu_seconds()
    stop = asyncio.Event()
    watchers: list[asyncio.Task[Any]] = []
    if args.health_interval > 0:
        watchers.append(
            asyncio.create_task(
                poll_health(
                    target,
                    args.health_interval,
                    stop,
                    lambda line: print(line, flush=True),
                    state.clock,
                )
            )
        )
    if args.progress_interval > 0:
        watchers.append(asyncio.create_task(progress(state, profile, args.progress_interval, stop)))
    users = [
        asyncio.create_task(virtual_user(user, profile, target, requests, args.timeout, state))
        for user in range(profile.users)
    ]
    # Every user stops by itself at its window's end; the deadline is a second safety net.
    deadline = profile.duration + args.timeout + profile.think + 5
    try:
        async with asyncio.timeout(deadline):
            await asyncio.gather(*users)
    except TimeoutError:
        print(f"warning: users still busy {deadline:.0f} s after the start; stopped them")
    wall = state.clock()
    cpu_used = cpu_seconds() - cpu_before
    stop.set()
    results = await asyncio.gather(*watchers, return_exceptions=True)

    recorder = state.recorder
    print()
    print(f"--- load test summary ({target.url('/render')}) ---")
    for line in summary_lines(recorder, wall):
        print(line)
    cap = " (request cap reached)" if state.budget.exhausted else ""
    print(
        f"profile         {profile.users} users, {profile.ramp_up:g}+{profile.hold:g}"
        f"+{profile.ramp_down:g} s, think {profile.think:g} s{cap}"
    )
    print(f"connections     {state.connections_opened} opened by {profile.users} users")
    print(cpu_line("loadgen CPU", cpu_used, wall, recorder.total))
    if args.health_interval > 0 and results and isinstance(results[0], dict):
        print(f"last /health    {health_scalars(results[0])}")
    print(verdict_line(recorder))
    return 1 if recorder.unanswered else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", default=DEFAULT_URL, help=f"loopback only (default {DEFAULT_URL})")
    where.add_argument(
        "--start",
        action="store_true",
        help="start the service (cg3 serve on a free loopback port) instead, and stop it after",
    )
    parser.add_argument("--users", type=int, default=40, help="peak virtual users (default 40)")
    parser.add_argument("--ramp-up", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds (default 20)")
    parser.add_argument("--ramp-down", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument(
        "--think", type=float, default=0.2, help="seconds between a user's requests (default 0.2)"
    )
    parser.add_argument(
        "--mixed", action="store_true", help="cycle through the 120 public cats instead"
    )
    parser.add_argument("--cases", type=Path, default=PUBLIC_CASES, help="cases file for --mixed")
    parser.add_argument(
        "--max-requests",
        type=int,
        default=100_000,
        help="hard cap on requests sent (default 100000)",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds to wait for one answer (default 30)"
    )
    parser.add_argument(
        "--health-interval",
        type=float,
        default=0.0,
        help="poll GET /health every this many seconds and print a line (default 0: off)",
    )
    parser.add_argument(
        "--progress-interval",
        type=float,
        default=5.0,
        help="print progress every this many seconds (default 5, 0: off)",
    )
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default="auto",
        help="event loop for the client (default auto: uvloop when installed)",
    )


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``parser.error`` for arguments out of their bounds."""
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be 1-{MAX_USERS}")
    for name in ("ramp_up", "hold", "ramp_down", "think", "health_interval", "progress_interval"):
        value = getattr(args, name)
        if not math.isfinite(value) or value < 0:
            parser.error(f"--{name.replace('_', '-')} must be a finite number >= 0")
    total = args.ramp_up + args.hold + args.ramp_down
    if not 0 < total <= MAX_PROFILE_SECONDS:
        parser.error(f"the profile must last more than 0 and at most {MAX_PROFILE_SECONDS:g} s")
    if args.max_requests < 1:
        parser.error("--max-requests must be at least 1")
    if not 0 < args.timeout <= 600:
        parser.error("--timeout must be in (0, 600] s")


def main(args: argparse.Namespace) -> int:
    """Run the load test ``args`` ask for; the exit code."""
    if not args.start:
        return drive(args, args.url)
    with running_service(["--log-level", "warning"]) as service:
        print(f"service         cg3 serve on {service.url} (pid {service.pid})")
        return drive(args, service.url)


def command_line(args: argparse.Namespace, url: str) -> str:
    """The command that runs this load test again, every profile setting spelled out."""
    words = ["cg3", "load", "--url", url, "--users", str(args.users)]
    for name in ("ramp_up", "hold", "ramp_down", "think"):
        words += [f"--{name.replace('_', '-')}", f"{getattr(args, name):g}"]
    words += ["--max-requests", str(args.max_requests), *(["--mixed"] if args.mixed else [])]
    return shlex.join(words)


def drive(args: argparse.Namespace, url: str) -> int:
    try:
        target = parse_target(url)
    except (NotLoopbackError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.mixed:
        try:
            documents = load_public_cases(args.cases)
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"error: cannot read the public cats: {error}", file=sys.stderr)
            return 2
        payload = f"{len(documents)} public cats ({args.cases.name})"
    else:
        documents = [SINGLE_COLOUR_WHITE]
        payload = "SingleColour WHITE, pose 8"
    requests = [json_request(target, "/render", document) for document in documents]
    print(f"command         {command_line(args, url)}")
    print(f"target          {target.url('/render')} (connecting to {target.address}:{target.port})")
    print(f"payload         {payload}")
    factory, loop = event_loop(args.loop)
    print(f"client loop     {loop}")
    try:
        return run(lambda: load_test(args, target, requests), factory)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
