"""Figures of a trace: SA timeline, exchanges over time, one SA's ladder.

matplotlib is an optional extra (``pip install 'ikelog[plot]'``) and is
imported on the first plot. Each function draws on a new
:class:`matplotlib.figure.Figure` (or on the ``ax`` it is given) and
returns the figure: nothing is shown or saved here, and pyplot's global
state is not touched, so the functions work the same in a notebook (the
returned figure is displayed), a script (``fig.savefig(...)``) and a test.

Logs without timestamps are drawn against line numbers instead of time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .replay.model import IkeSa
    from .trace import Trace

#: Bar colour per outcome; CHILD SAs are drawn in a darker shade on top.
OUTCOME_COLOURS = {"established": "#66bb6a", "failed": "#ef5350", "open": "#ffb74d"}
CHILD_COLOUR = "#1b5e20"

#: Bin widths that exchanges_over_time picks from, in seconds.
_BINS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600)


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "ikelog's plots need matplotlib: pip install 'ikelog[plot]'"
        ) from exc
    if ax is not None:
        fig = ax.get_figure()
        assert fig is not None
        return fig, ax  # type: ignore[return-value]
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def sa_timeline(trace: Trace, *, limit: int = 200, ax: Axes | None = None) -> Figure:
    """One bar per IKE SA (coloured by outcome) with its CHILD SAs inside.

    At most ``limit`` SAs are drawn, in order of first appearance.
    """
    sas = trace.tables.ike_sas.head(limit)
    kids = trace.tables.child_sas
    kids = kids[kids["sa"] < len(sas)]
    timed = bool(len(sas)) and not (
        sas["first_time"].isna().any() or sas["last_time"].isna().any()
    )
    start_col, end_col = ("first_time", "last_time") if timed else _LINES
    fig, ax = _figure(ax, (10, 1.5 + 0.22 * min(len(sas), 60)))

    # IKE SAs
    start = _fill(sas[start_col], sas[start_col])
    width = _width(_fill(sas[end_col], sas[end_col]) - start, timed)
    colours = [OUTCOME_COLOURS.get(str(o), "grey") for o in sas["outcome"]]
    ax.barh(sas.index, width, left=start, height=0.7, color=colours)

    # CHILD SAs, from installation to close (or to the end of their IKE SA)
    if len(kids):
        owner = sas.loc[kids["sa"]]
        if timed:
            c_start = _fill(kids["established_time"], owner[start_col])
            c_end = _fill(kids["closed_time"], owner[end_col])
        else:
            c_start = _fill(kids["established_line"], owner[start_col])
            c_end = _fill(kids["closed_line"], owner[end_col])
        ax.barh(
            kids["sa"],
            _width(c_end - c_start, timed),
            left=c_start,
            height=0.25,
            color=CHILD_COLOUR,
        )

    # labels and legend
    ax.invert_yaxis()
    if len(sas) <= 40:
        ax.set_yticks(sas.index, labels=list(sas["sa_label"]))
    else:
        ax.set_ylabel(f"{len(sas)} IKE SAs, in order of first appearance")
    ax.set_xlabel("time" if timed else "log line")
    _legend(ax, [*OUTCOME_COLOURS.items(), ("CHILD SA", CHILD_COLOUR)])
    ax.set_title("IKE SAs and their CHILD SAs")
    return fig


_LINES = ("first_line", "last_line")


def exchanges_over_time(
    trace: Trace, *, seconds: int | None = None, ax: Axes | None = None
) -> Figure:
    """Exchanges per time bin (by request time), stacked by exchange type.

    ``seconds`` is the bin width; by default about 60 bins cover the log.
    A log without timestamps is binned by line number.
    """
    import numpy as np
    import pandas as pd

    xs = trace.tables.exchanges
    timed = bool(xs["request_time"].notna().any())
    fig, ax = _figure(ax, (10, 4))
    if xs.empty:
        ax.set_title("no exchanges in this log")
        return fig
    if timed:
        when = xs["request_time"]
        span = (when.max() - when.min()).total_seconds()
        step = seconds or next((b for b in _BINS if span / b <= 60), _BINS[-1])
        bins = when.dt.floor(f"{step}s")
        label = f"exchanges per {step} s"
    else:
        lines = xs["request_line"].astype("float64")
        step = max(1, int(np.ceil((lines.max() - lines.min() + 1) / 60)))
        bins = (lines // step) * step
        label = f"exchanges per {step} log lines"
    counts = pd.crosstab(bins, xs["type"])
    counts = counts.loc[:, counts.sum() > 0]
    x: Any = counts.index
    width: Any = pd.Timedelta(seconds=step) * 0.9 if timed else step * 0.9
    bottom = np.zeros(len(counts))
    colours = _colours(len(counts.columns))
    for colour, column in zip(colours, counts.columns, strict=True):
        values = counts[column].to_numpy()
        ax.bar(
            x,
            values,
            width=width,
            bottom=bottom,
            align="edge",
            label=str(column),
            color=colour,
        )
        bottom += values
    ax.set_ylabel(label)
    ax.set_xlabel("time" if timed else "log line")
    ax.legend(loc="upper right", fontsize="small")
    ax.set_title("exchanges over time, by type")
    return fig


def ladder(sa: IkeSa, *, width: int = 70, ax: Axes | None = None) -> Figure:
    """The exchanges of one IKE SA as a message sequence chart.

    This log's daemon is on the left, the peer on the right; every request
    and response is an arrow labelled with its exchange, message ID and
    payloads (cut at ``width`` characters). A response that is not in the
    log is a dashed red arrow.
    """
    msgs = len(sa.exchanges) * 2
    fig, ax = _figure(ax, (10, 1.2 + 0.42 * msgs))
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(msgs + 0.5, -1)
    ax.axis("off")
    for x, who in ((0.0, sa.local or "this daemon"), (1.0, sa.remote or "peer")):
        ax.axvline(x, color="grey", linewidth=1)
        ax.text(x, -0.6, who, ha="center", va="bottom", fontweight="bold")
    for i, xch in enumerate(sa.exchanges):
        out = xch.initiator == "local"
        for j, payloads in enumerate((xch.request, xch.response)):
            y = 2 * i + j + 0.5
            towards_peer = out == (j == 0)
            missing = payloads is None and (j == 0 or not xch.response_fragments)
            text = " ".join(payloads or ()) if not missing else "not in log"
            head = f"{xch.type} {xch.message_id} {'request' if j == 0 else 'response'}"
            ax.annotate(
                "",
                xy=(1.0 if towards_peer else 0.0, y),
                xytext=(0.0 if towards_peer else 1.0, y),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#c62828" if missing else "black",
                    "linestyle": "--" if missing else "-",
                },
            )
            ax.text(
                0.5,
                y - 0.08,
                _cut(f"{head}: {text}", width),
                ha="center",
                va="bottom",
                fontsize="small",
                color="#c62828" if missing else "black",
            )
    ax.set_title(f"{sa.label}: {len(sa.exchanges)} exchanges")
    return fig


def _width(delta: Any, timed: bool) -> Any:
    """Bar widths; an SA seen for less than a tick still gets a sliver."""
    import numpy as np

    return np.maximum(delta, np.timedelta64(200, "ms") if timed else 1.0)


def _fill(values: pd.Series, fallback: pd.Series) -> Any:
    """``values`` as a numpy array, with ``fallback`` where they are missing
    (line numbers become floats, times stay ``datetime64``)."""
    import numpy as np

    if values.dtype.kind != "M":
        values, fallback = values.astype("float64"), fallback.astype("float64")
    v = values.to_numpy()
    f = fallback.to_numpy()
    return np.where(values.isna().to_numpy(), f, v)


def _colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def _legend(ax: Axes, entries: list[tuple[str, str]]) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(color=colour, label=label) for label, colour in entries]
    ax.legend(handles=handles, loc="lower right", fontsize="small")


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
