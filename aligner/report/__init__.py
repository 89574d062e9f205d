"""The HTML report of a build folder: ``build_report(out_dir)`` writes ``OUT_DIR/report/index.html``.

See docs/report.md for what the page shows.
"""

from .data import ReportData, display_quality, load_report_data
from .heatmap import cosine_matrix, encode_png, group_heatmaps, heatmap_svg, histogram_svg
from .page import REPORT_DIR, REPORT_FILE, build_report, render_page, report_path
from .records import tuple_records

__all__ = [
    "REPORT_DIR",
    "REPORT_FILE",
    "ReportData",
    "build_report",
    "cosine_matrix",
    "display_quality",
    "encode_png",
    "group_heatmaps",
    "heatmap_svg",
    "histogram_svg",
    "load_report_data",
    "render_page",
    "report_path",
    "tuple_records",
]
