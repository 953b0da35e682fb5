"""The report's indicators as a PNG bar chart: registered target beside survey result.

Rendered headless with Agg through a Figure object rather than pyplot's global figure registry:
nothing is left open between calls, and the bot may draw from a worker thread.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # headless: a server has no display

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.reports.report import Indicator, Report, percent

TITLE = "Dự định của học sinh so với chỉ tiêu"
WIDTH_PX, HEIGHT_PX, DPI = 900, 500, 100
TARGET_COLOUR = "#9e9e9e"
RESULT_COLOUR = "#1f77b4"


def drawn(report: Report) -> list[Indicator]:
    """The indicators drawn: not those that cannot apply (no lớp 12 bars for a THCS school)."""
    return [i for i in report.indicators if i.applies]


def chart_png(report: Report) -> bytes:
    """A grouped bar chart (~900x500 px): per indicator, the target and the survey result."""
    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(fig)  # attaches itself to the figure
    try:
        ax = fig.add_subplot()
        width = 0.38
        shown = drawn(report)
        xs = list(range(len(shown)))
        for offset, name, colour, values in (
                (-width / 2, "Chỉ tiêu đăng ký", TARGET_COLOUR, [i.target for i in shown]),
                (width / 2, "Kết quả khảo sát", RESULT_COLOUR, [i.result for i in shown])):
            bars = ax.bar([x + offset for x in xs], [v or 0.0 for v in values], width,
                          label=name, color=colour)
            ax.bar_label(bars, labels=[percent(v) if v is not None else "chưa có dữ liệu"
                                       for v in values], padding=3, fontsize=10)
        # how many answered, under each indicator: 40 % of 2 students is no 40 % of 200
        ax.set_xticks(xs, ["\n".join(textwrap.wrap(i.label, 34)) + f"\n(n = {i.denominator})"
                           for i in shown])
        if len(shown) == 1:
            ax.set_xlim(-1, 1)
        ax.set_ylim(0, 110)  # headroom above 100 % for the bar labels
        ax.set_yticks(range(0, 101, 20))
        ax.set_ylabel("Tỷ lệ (%)")
        ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:.0f} %")
        name = report.scope_name if len(report.scope_name) <= 70 else report.scope_name[:69] + "…"
        ax.set_title(f"{TITLE}\n{name} – năm học {report.school_year}",
                     fontsize=12)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI)
        return out.getvalue()
    finally:
        fig.clear()
