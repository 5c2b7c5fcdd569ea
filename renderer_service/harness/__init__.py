"""The diff harness: render many cats here, compare each with another renderer's picture.

``cases`` reads the cats, ``references`` fetches the other renderer's pictures (a folder of
PNGs or a service speaking this API), ``run`` compares and summarises (by trait and by
layer), ``report`` writes the summary as a self-contained HTML page.
"""

from renderer_service.harness.cases import Case, CasesError, load_cases
from renderer_service.harness.references import FolderSource, ReferenceSource, ServiceSource
from renderer_service.harness.report import html_report
from renderer_service.harness.run import compare_all, summarise

__all__ = [
    "Case",
    "CasesError",
    "FolderSource",
    "ReferenceSource",
    "ServiceSource",
    "compare_all",
    "html_report",
    "load_cases",
    "summarise",
]
