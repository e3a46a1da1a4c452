"""Pictures of an evaluation: the threshold sweep and a reliability diagram (needs matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence

from .errors import InputError
from .evaluate import SweepRow


def plot_eval(
    rows: Sequence[SweepRow], bins: Sequence[tuple[float, float, int]], threshold: float, path: str
) -> None:
    """Write a PNG with the sweep (left) and the reliability diagram (right) to `path`."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        from .extras import install_hint

        raise InputError(f"--plot needs matplotlib: {install_hint('plot')}") from None
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    ts = [r.threshold for r in rows]
    left.plot(ts, [r.in_scope_right for r in rows], marker="o", label="in-scope answered right")
    left.plot(ts, [r.false_accepts for r in rows], marker="o", label="false accepts")
    left.axvline(threshold, color="grey", linestyle="--", label=f"answer threshold {threshold}")
    left.set(xlabel="answer threshold (confidence)", ylabel="share", ylim=(0, 1), title="Threshold sweep")
    left.legend(loc="center right")
    right.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    right.plot([b[0] for b in bins], [b[1] for b in bins], marker="o", label="answers")
    for conf, acc, count in bins:
        right.annotate(str(count), (conf, acc), textcoords="offset points", xytext=(4, -10), fontsize=8)
    right.set(xlabel="confidence", ylabel="share right", xlim=(0, 1), ylim=(0, 1.02),
              title="Reliability of confidence (answered items)")
    right.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
