"""The harnesses the service is run and measured in.

The diff harness renders many cats here and compares each with another renderer's picture:
``cases`` reads the cats, ``references`` fetches the other renderer's pictures (a folder of
PNGs or a service speaking this API), ``run`` compares and summarises (by trait and by
layer), ``report`` writes the summary as a self-contained HTML page.

``launch`` starts the service as a process of its own on a loopback port for tests,
benchmarks and drills (``running_service``), and always stops it again.
"""

from renderer_service.harness.cases import Case, CasesError, load_cases, pcm_body
from renderer_service.harness.launch import (
    HEADLESS_CHROMIUM_ARGS,
    SERVE,
    ServiceProcess,
    ServiceStartError,
    children,
    descendants,
    free_port,
    http_status,
    launch_command,
    running_service,
    uvicorn_command,
)
from renderer_service.harness.references import FolderSource, ReferenceSource, ServiceSource
from renderer_service.harness.report import html_report
from renderer_service.harness.run import compare_all, summarise

__all__ = [
    "HEADLESS_CHROMIUM_ARGS",
    "SERVE",
    "Case",
    "CasesError",
    "FolderSource",
    "ReferenceSource",
    "ServiceProcess",
    "ServiceSource",
    "ServiceStartError",
    "children",
    "compare_all",
    "descendants",
    "free_port",
    "html_report",
    "http_status",
    "launch_command",
    "load_cases",
    "pcm_body",
    "running_service",
    "summarise",
    "uvicorn_command",
]
