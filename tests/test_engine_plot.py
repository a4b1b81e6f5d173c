"""``jmetrics eval --plot``: every model drawn with a legend, bootstrap intervals as error bars.

The figure is captured at ``Figure.savefig``; the checks count the series and legend entries, and
compare the plotted points with float64 NumPy (the ROC curve's end points, the metric values and
interval bounds the results hold).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from jmetrics.cli import main

pytest.importorskip("matplotlib")


@pytest.fixture()
def saved(monkeypatch):
    from matplotlib.figure import Figure

    figures = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig",
                        lambda fig, *a, **k: (figures.append(fig), real(fig, *a, **k))[1])
    return figures


def _run(capsys, *argv):
    code = main(["eval", *map(str, argv)])
    capsys.readouterr()
    return code


def _legend(ax):
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def _binary_models(tmp_path, k=3, n=300):
    r = np.random.default_rng(6)
    y = (r.random(n) < 0.4).astype(np.float32)
    models = np.stack([np.clip(y * (0.2 * i) + r.random(n) * 0.8, 0, 1) for i in range(k)])
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "k.npy", models.astype(np.float32))
    return y.astype(np.float64), models.astype(np.float64)


def test_every_binary_model_is_drawn_with_a_legend_and_intervals(capsys, tmp_path, saved):
    y, models = _binary_models(tmp_path)
    assert _run(capsys, "--y-true", tmp_path / "y.npy", "--y-pred", tmp_path / "k.npy",
                "--model-axis", "0", "--bootstrap", "10", "-m", "roc_auc_score",
                "binary_accuracy", "--plot", tmp_path / "f.png", "-q") == 0
    roc, pr, calibration, summary = saved[0].axes[:4]
    aucs = [skm.roc_auc_score(y, m) for m in models]
    assert _legend(roc) == [f"model {k}: AUC {a:.4f}" for k, a in enumerate(aucs)]
    assert len(roc.get_lines()) == 3 + 1  # the models and the chance diagonal
    assert _legend(pr) == _legend(calibration) == ["model 0", "model 1", "model 2"]
    for line, m in zip(roc.get_lines(), models, strict=False):  # each curve is its own model's
        fpr, tpr, _ = skm.roc_curve(y, m)
        assert np.trapezoid(line.get_ydata(), line.get_xdata()) == pytest.approx(
            np.trapezoid(tpr, fpr), abs=1e-9)
    assert _legend(summary) == ["model 0", "model 1", "model 2"]
    assert len(summary.containers) == 3  # one errorbar series per model
    bars = summary.containers[1]  # model 1: points at its metric values, bars to its bounds
    points = bars.lines[0].get_ydata()
    assert points[0] == pytest.approx(aucs[1], rel=1e-6)  # roc_auc_score first, as requested
    assert points[1] == pytest.approx(np.mean(y == (models[1] > 0.5)), rel=1e-6)
    segments = bars.lines[2][0].get_segments()
    assert all(seg[0][1] <= p <= seg[1][1] and seg[1][1] > seg[0][1]
               for seg, p in zip(segments, points, strict=True))


@pytest.mark.parametrize("task", ["multiclass", "regression"])
def test_multiclass_and_regression_draw_every_model(capsys, tmp_path, saved, task):
    r = np.random.default_rng(7)
    if task == "multiclass":
        y = r.integers(0, 4, 200)
        models = r.dirichlet(np.ones(4), (2, 200)).astype(np.float32)
    else:
        y = r.normal(size=200).astype(np.float32)
        models = (y + r.normal(size=(2, 200)) * [[0.1], [0.5]]).astype(np.float32)
    np.save(tmp_path / "y.npy", y)
    np.save(tmp_path / "k.npy", models)
    assert _run(capsys, "--y-true", tmp_path / "y.npy", "--y-pred", tmp_path / "k.npy",
                "--model-axis", "0", "--plot", tmp_path / "f.png", "-q") == 0
    axes = [ax for ax in saved[0].axes if ax.get_label() != "<colorbar>"]
    first, second, third, summary = axes[:4]
    for ax in (second, third, summary):
        assert _legend(ax) == ["model 0", "model 1"], ax.get_title()
    if task == "regression":
        assert _legend(first) == ["model 0", "model 1"]
        assert len(third.collections) == 2  # one residual scatter per model
    else:
        assert "model 0" in first.get_title()  # the confusion matrix says whose it is
        assert len(second.patches) == 2 * 4  # recall per class: one bar per model and class


def test_a_single_model_without_intervals_keeps_three_panels(capsys, tmp_path, saved):
    y, models = _binary_models(tmp_path, k=1)
    np.save(tmp_path / "p.npy", models[0].astype(np.float32))
    assert _run(capsys, "--y-true", tmp_path / "y.npy", "--y-pred", tmp_path / "p.npy",
                "--plot", tmp_path / "f.png", "-q") == 0
    roc, pr, calibration = saved[0].axes
    assert len(roc.get_lines()) == 2 and _legend(roc) == [
        f"AUC {skm.roc_auc_score(y, models[0]):.4f}"]
    assert pr.get_legend() is None and calibration.get_legend() is None
