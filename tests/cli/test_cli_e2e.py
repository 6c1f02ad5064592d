"""End-to-end: the installed ``clusterlab`` command in a subprocess.

Every bad input exits 2 with one line on stderr naming the input and leaves
no output file; every ``--method`` fits and its saved model predicts the same
labels on the same raw rows (the regression test for the model saved
without its scaling).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clusterlab
from clusterlab.datasets import faithful_path, load_faithful

SRC = str(Path(clusterlab.__file__).resolve().parents[1])


def _command():
    """The installed console script beside this Python (else on PATH)."""
    here = Path(sys.executable).parent / "clusterlab"
    found = str(here) if here.exists() else shutil.which("clusterlab")
    return [found] if found else [sys.executable, "-m", "clusterlab.cli.main"]


def cli(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": SRC, "MPLBACKEND": "Agg", "COLUMNS": "200"}
    return subprocess.run([*_command(), *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def _error_line(proc):
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """Small files for every case, written once."""
    d = tmp_path_factory.mktemp("data")
    X = load_faithful()
    frame = pd.DataFrame(X, columns=["eruptions", "waiting"])
    frame.to_csv(d / "faithful.csv", index=False)
    frame.assign(name=[f"r{i}" for i in range(len(X))]).to_csv(d / "text.csv", index=False)
    holes = frame.copy()
    holes.iloc[[3, 10, 50], 1] = np.nan
    holes.to_csv(d / "missing.csv", index=False)
    frame.to_csv(d / "noheader.csv", index=False, header=False)
    frame.to_csv(d / "semicolon.csv", index=False, sep=";")
    (d / "empty.csv").write_text("")
    (d / "header_only.csv").write_text("eruptions,waiting\n")
    (d / "one_row.csv").write_text("eruptions,waiting\n3.6,79\n")
    (d / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (d / "folder").mkdir()
    rng = np.random.default_rng(0)
    pd.DataFrame(rng.poisson([[2, 9, 4]] * 60 + [[8, 1, 6]] * 60),
                 columns=list("abc")).to_csv(d / "counts.csv", index=False)
    pd.DataFrame((rng.random((120, 4)) < np.repeat([[0.9, 0.1, 0.8, 0.2], [0.1, 0.9, 0.2, 0.7]],
                                                    60, axis=0)).astype(int),
                 columns=list("abcd")).to_csv(d / "binary01.csv", index=False)
    # multinomial counts over three categories (the categorical family's rows)
    pd.DataFrame(np.r_[rng.multinomial(20, [0.7, 0.2, 0.1], 60),
                       rng.multinomial(20, [0.1, 0.2, 0.7], 60)],
                 columns=["red", "green", "blue"]).to_csv(d / "categories.csv", index=False)
    return d


def _no_outputs(directory):
    return sorted(p.name for p in Path(directory).iterdir())


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled")
    proc = cli("fit", "--seed", "0", "--json", "--quiet", cwd=out)
    return out, proc


def test_bundled_data_writes_labels_model_and_report(bundled):
    out, proc = bundled
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    summary = json.loads(proc.stdout)
    assert summary["source"] == "Old Faithful (bundled)"
    assert summary["best_params"] == {"n_clusters": 2}
    assert sorted(c["size"] for c in summary["clusters"]) == [98, 174]
    assert _no_outputs(out) == ["labels.csv", "model.npz", "report.html"]
    labels = pd.read_csv(out / "labels.csv")
    assert list(labels.columns) == ["row", "label"] and labels["row"].iloc[0] == 1
    assert (out / "report.html").read_text().count("data:image/png;base64,") >= 5


def test_human_summary_on_stdout_messages_on_stderr(data, tmp_path):
    proc = cli("fit", data / "text.csv", "--k", "2", "--seed", "0", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "KMeans with 2 clusters" in proc.stdout and "choosing k by silhouette" in proc.stdout
    assert "column 'name' is not numeric; left out" in proc.stderr
    assert "wrote" in proc.stderr and "wrote" not in proc.stdout


@pytest.mark.parametrize("name, expected", [
    ("empty.csv", "is empty"),
    ("header_only.csv", "has a header but no rows"),
    ("one_row.csv", "n_samples=1"),
    ("binary.csv", "is binary"),
    ("folder", "is a directory"),
    ("does_not_exist.csv", "no such file"),
])
def test_bad_data_exits_2_naming_the_input_and_writes_nothing(data, tmp_path, name, expected):
    proc = cli("fit", data / name, "--out", tmp_path)
    assert proc.returncode == 2
    line = _error_line(proc)
    assert line.startswith("clusterlab: error:") and name in line and expected in line
    assert _no_outputs(tmp_path) == []


def test_missing_values_dropped_and_counted_or_refused(data, tmp_path):
    proc = cli("fit", data / "missing.csv", "--k", "2", "--seed", "0", "--out", tmp_path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert "dropped 3 of 272 rows with missing values (rows 3, 10, 50)" in proc.stderr
    assert json.loads(proc.stdout)["n_rows_used"] == 269
    labels = pd.read_csv(tmp_path / "labels.csv")
    assert len(labels) == 269 and not {3, 10, 50} & set(labels["row"])
    again = tmp_path / "again"
    again.mkdir()
    refused = cli("fit", data / "missing.csv", "--missing", "refuse", "--out", again)
    assert refused.returncode == 2
    assert "3 row(s) with missing or infinite values, first at row 3" in _error_line(refused)
    assert _no_outputs(again) == []


def test_no_header_keeps_every_row_and_semicolons_are_sniffed(data, tmp_path):
    for name in ("noheader.csv", "semicolon.csv"):
        proc = cli("fit", data / name, "--k", "2", "--seed", "0", "--out", tmp_path, "--json",
                   "--quiet")
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["n_rows_used"] == 272, name
        assert len(summary["columns"]) == 2
    forced = cli("fit", data / "faithful.csv", "--no-header", "--out", tmp_path)
    assert forced.returncode == 2  # the names row as data makes every column text
    assert "no numeric column" in _error_line(forced)


@pytest.mark.parametrize("args, expected", [
    (["--drop", "nope"], "--drop: column(s) ['nope'] not in"),
    (["--columns", "name"], "column(s) ['name']"),
    (["--method", "bogus"], "--method must be one of"),
    (["--k", "x"], "--k must look like"),
    (["--method", "kmeans", "--criterion", "bic"], "needs a mixture model"),
    (["--param", "epochs=3"], "--param epochs: KMeans has no such parameter"),
])
def test_usage_mistakes_exit_2_with_one_line(data, tmp_path, args, expected):
    proc = cli("fit", data / "text.csv", "--out", tmp_path, *args)
    assert proc.returncode == 2
    assert expected in _error_line(proc)
    assert _no_outputs(tmp_path) == []


def test_unwritable_or_missing_output_directory_is_refused_before_fitting(data, tmp_path):
    missing = cli("fit", data / "faithful.csv", "--out", tmp_path / "nope")
    assert missing.returncode == 2 and "no such directory" in _error_line(missing)
    model_dir = cli("fit", data / "faithful.csv", "--out", tmp_path, "--model-out",
                    tmp_path / "nope" / "m.npz")
    assert model_dir.returncode == 2 and "does not exist" in _error_line(model_dir)
    if os.geteuid() == 0:
        read_only = Path("/sys")  # root writes through permissions, not to sysfs
    else:
        read_only = tmp_path / "ro"
        read_only.mkdir()
        read_only.chmod(0o555)
    proc = cli("fit", data / "faithful.csv", "--out", read_only)
    assert proc.returncode == 2 and "is not writable" in _error_line(proc)
    assert _no_outputs(tmp_path) == ([] if os.geteuid() == 0 else ["ro"])


def test_debug_shows_the_traceback(data, tmp_path):
    proc = cli("fit", data / "folder", "--debug")
    assert proc.returncode == 2 and "Traceback" in proc.stderr


_METHODS = [
    ("kmeans", "faithful.csv", []),
    ("minibatch", "faithful.csv", []),
    ("fuzzy", "faithful.csv", []),
    ("gmm", "faithful.csv", []),
    ("hierarchical", "faithful.csv", []),
    ("mixture:gaussian", "faithful.csv", []),
    ("mixture:poisson", "counts.csv", []),
    ("mixture:bernoulli", "binary01.csv", []),
    ("mixture:categorical", "categories.csv", []),
    ("deep", "faithful.csv", ["--param", "pretrain_epochs=3", "--param", "epochs=3",
                              "--param", "hidden_dim=8"]),
]


@pytest.mark.parametrize("method, name, extra", _METHODS, ids=[m[0] for m in _METHODS])
def test_fit_then_predict_on_the_raw_rows_gives_the_same_labels(data, tmp_path, method, name,
                                                                 extra):
    if method == "deep":
        pytest.importorskip("torch", reason="--method deep needs the torch extra")
    proc = cli("fit", data / name, "--method", method, "--k", "2", "--seed", "0", "--out",
               tmp_path, "--quiet", *extra)
    assert proc.returncode == 0, proc.stderr
    fitted = pd.read_csv(tmp_path / "labels.csv")
    assert fitted["label"].nunique() == 2
    pred = cli("predict", tmp_path / "model.npz", data / name, "--labels-out",
               tmp_path / "pred.csv")
    assert pred.returncode == 0, pred.stderr
    predicted = pd.read_csv(tmp_path / "pred.csv")
    pd.testing.assert_frame_equal(predicted[["row", "label"]], fitted[["row", "label"]])
    soft = [c for c in fitted.columns if c.startswith(("probability_", "membership_"))]
    if method not in ("kmeans", "minibatch", "hierarchical"):
        assert len(soft) == 2
        np.testing.assert_allclose(predicted[soft], fitted[soft], rtol=1e-6, atol=1e-9)


def test_predict_applies_the_saved_scaling_to_new_raw_rows(bundled, data, tmp_path):
    """A shuffled, column-reordered copy with a text column gets the same labels."""
    out, _ = bundled
    frame = pd.read_csv(faithful_path(), index_col=0)
    shuffled = frame.sample(frac=1.0, random_state=1)[["waiting", "eruptions"]]
    shuffled.insert(0, "note", "x")
    shuffled.to_csv(tmp_path / "new.csv")
    proc = cli("predict", out / "model.npz", tmp_path / "new.csv", "--json")
    assert proc.returncode == 0, proc.stderr
    got = pd.DataFrame(json.loads(proc.stdout)["labels"]).set_index("row")["label"]
    fitted = pd.read_csv(out / "labels.csv").set_index("row")["label"]
    pd.testing.assert_series_equal(got.sort_index(), fitted.sort_index(), check_names=False)


def test_predict_refuses_data_without_the_model_columns(bundled, data, tmp_path):
    out, _ = bundled
    proc = cli("predict", out / "model.npz", data / "counts.csv")
    assert proc.returncode == 2 and "eruptions" in _error_line(proc)
    bad_model = cli("predict", data / "faithful.csv", data / "faithful.csv")
    assert bad_model.returncode == 2 and "faithful.csv" in _error_line(bad_model)


def test_select_density_tree_and_report_commands(bundled, data, tmp_path):
    out, _ = bundled
    sel = cli("select", data / "faithful.csv", "--method", "gmm", "--k", "1-3", "--covariance",
              "full", "diag", "--seed", "0", "--plot", tmp_path / "bic.png", "--json")
    assert sel.returncode == 0, sel.stderr
    payload = json.loads(sel.stdout)
    assert len(payload["candidates"]) == 6 and payload["best_params"]["n_components"] == 2
    assert (tmp_path / "bic.png").read_bytes()[:4] == b"\x89PNG"
    dens = cli("density", data / "faithful.csv", "--columns", "waiting", "--grid", "64",
               "--plot", tmp_path / "kde.png", "--out", tmp_path / "grid.csv")
    assert dens.returncode == 0, dens.stderr
    grid = pd.read_csv(tmp_path / "grid.csv")
    assert grid.shape == (64, 2)
    assert abs(np.trapezoid(grid["density"], grid["waiting"]) - 1) < 0.02
    tree = cli("tree", data / "faithful.csv", "--k", "2", "--plot", tmp_path / "tree.png",
               "--labels-out", tmp_path / "tree.csv")
    assert tree.returncode == 0, tree.stderr
    assert pd.read_csv(tmp_path / "tree.csv")["label"].nunique() == 2
    rep = cli("report", out / "model.npz", data / "faithful.csv", "--report",
              tmp_path / "r.html")
    assert rep.returncode == 0, rep.stderr
    assert "Cluster profiles" in (tmp_path / "r.html").read_text()
    too_many = cli("density", data / "counts.csv", "--out", tmp_path / "x.csv")
    assert too_many.returncode == 2 and "1 or 2 columns" in _error_line(too_many)


def test_deep_training_shows_its_epochs_on_stderr_and_keeps_json_clean(data, tmp_path):
    pytest.importorskip("torch", reason="--method deep needs the torch extra")
    proc = cli("fit", data / "faithful.csv", "--method", "deep", "--k", "2", "--seed", "0",
               "--out", tmp_path, "--json", "--param", "pretrain_epochs=2", "--param",
               "epochs=2", "--param", "hidden_dim=8")
    assert proc.returncode == 0, proc.stderr
    assert "epoch" in proc.stderr  # the per-epoch bar, on stderr
    json.loads(proc.stdout)  # stdout is the JSON object alone
    (tmp_path / "q").mkdir()
    quiet = cli("fit", data / "faithful.csv", "--method", "deep", "--k", "2", "--seed", "0",
                "--out", tmp_path / "q", "--quiet", "--param", "pretrain_epochs=2", "--param",
                "epochs=2", "--param", "hidden_dim=8")
    assert quiet.returncode == 0, quiet.stderr
    assert "epoch" not in quiet.stderr
