"""``jmetrics.plot_slices`` and ``jmetrics eval --slice-by ... --plot``: a metric per slice.

The checks inspect the drawn Axes: one error-bar series per model with one point per slice at the
values the results hold (sorted by the first model's value), whiskers at the slice's bootstrap
interval bounds, the overall value as one vertical line per model, a legend naming the models;
and that a PNG is written.
"""

from __future__ import annotations

import numpy as np
import pytest

import jmetrics

pytest.importorskip("matplotlib")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def sliced():
    r = np.random.default_rng(0)
    n = 600
    y = r.integers(0, 2, n).astype(np.float32)
    p = np.clip(y * np.array([[0.3], [0.5]]) + r.random((2, n)) * 0.7, 0, 1).astype(np.float32)
    keys = r.choice(["de", "fr", "kr", "us"], n, p=[0.4, 0.3, 0.2, 0.1])
    return jmetrics.evaluate(y, p, ["auc", "binary_accuracy"], model_axis=0, bootstrap=10,
                             slice_by=keys)


def test_points_whiskers_reference_lines_and_legend_per_model(sliced, tmp_path):
    ax = jmetrics.plot_slices(sliced, "auc", path=tmp_path / "s.png")
    assert (tmp_path / "s.png").read_bytes()[:8] == PNG
    slices = sliced["slices"]
    order = sorted(slices, key=lambda v: slices[v]["auc"][0])
    assert [t.get_text() for t in ax.get_yticklabels()] == \
        [f"{v} (n={slices[v]['rows']})" for v in order]
    assert len(ax.containers) == 2  # one error-bar series per model
    for k, bars in enumerate(ax.containers):
        line, _caps, (whiskers,) = bars.lines
        np.testing.assert_allclose(line.get_xdata(), [slices[v]["auc"][k] for v in order])
        ends = np.array([seg[:, 0] for seg in whiskers.get_segments()])  # [S, 2] x ends
        np.testing.assert_allclose(ends[:, 0], [slices[v]["auc.ci_low"][k] for v in order])
        np.testing.assert_allclose(ends[:, 1], [slices[v]["auc.ci_high"][k] for v in order])
    overall = [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    np.testing.assert_allclose(overall, sliced["auc"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["overall (model 0)", "overall (model 1)", "model 0", "model 1"]


def test_only_the_largest_slices_when_there_are_many(tmp_path):
    r = np.random.default_rng(1)
    n = 2000
    keys = np.minimum(r.geometric(0.2, n), 12)  # 12 slices of falling size
    y, p = r.integers(0, 2, n).astype(np.float32), r.random(n).astype(np.float32)
    res = jmetrics.evaluate(y, p, ["mse"], slice_by=keys)
    ax = jmetrics.plot_slices(res, "mse", max_slices=5)
    largest = sorted(res["slices"], key=lambda v: -res["slices"][v]["rows"])[:5]
    (bars,) = ax.containers
    assert len(bars.lines[0].get_xdata()) == 5
    assert sorted(bars.lines[0].get_xdata()) == sorted(res["slices"][v]["mse"] for v in largest)
    assert "5 largest of 12 slices" in ax.get_title()
    assert bars.lines[2] == ()  # no bootstrap: no whiskers


def test_clear_errors(sliced):
    plain = jmetrics.evaluate(np.array([0.0, 1.0]), np.array([0.2, 0.9]), ["mse"])
    with pytest.raises(ValueError, match="plot_slices: results must come from evaluate"):
        jmetrics.plot_slices(plain, "mse")
    with pytest.raises(ValueError, match=r"plot_slices: metric must be .*'mse'.*\['auc', "):
        jmetrics.plot_slices(sliced, "mse")
    with pytest.raises(ValueError, match="plot_slices: max_slices must be a positive integer"):
        jmetrics.plot_slices(sliced, "auc", max_slices=0)


def test_cli_slice_by_with_plot_draws_each_metric_per_slice(capsys, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from jmetrics.cli import main

    figures = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda fig, *a, **k: (figures.append(fig), real(fig, *a, **k))[1])
    r = np.random.default_rng(2)
    n = 400
    np.save(tmp_path / "y.npy", r.integers(0, 2, n).astype(np.float32))
    np.save(tmp_path / "p.npy", r.random(n).astype(np.float32))
    np.save(tmp_path / "k.npy", r.integers(0, 6, n))
    code = main(["eval", "--y-true", str(tmp_path / "y.npy"), "--y-pred", str(tmp_path / "p.npy"),
                 "-m", "auc", "mse", "--slice-by", str(tmp_path / "k.npy"), "--bootstrap", "5",
                 "--plot", str(tmp_path / "s.png"), "-q"])
    capsys.readouterr()
    assert code == 0
    assert (tmp_path / "s.png").read_bytes()[:8] == PNG
    (fig,) = figures
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["auc per slice", "mse per slice"]
    for ax in fig.axes:
        (bars,) = ax.containers
        assert len(bars.lines[0].get_xdata()) == 6
        assert len(bars.lines[2][0].get_segments()) == 6  # an interval per slice
