"""In-process CLI tests: parsing, header detection, all-or-none outputs, pipelines."""

import argparse
import io

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from clusterlab.cli._errors import UsageError
from clusterlab.cli._outputs import Outputs
from clusterlab.cli.main import main, parse_k, run
from clusterlab.datasets import load_faithful
from clusterlab.io import load_model
from clusterlab.io.tables import read_frame


def _console():
    buf = io.StringIO()
    return Console(file=buf, width=200), buf


def test_parse_k_rejects_nonsense():
    with pytest.raises(argparse.ArgumentTypeError):
        parse_k("two")
    with pytest.raises(argparse.ArgumentTypeError):
        parse_k("0-3")


def test_faithful_alias_and_kmeans_alias_still_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, buf = _console()
    assert run(["faithful", "--k", "2", "--seed", "0", "--quiet"], out=out) == 0
    assert "KMeans with 2 clusters" in buf.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels.csv", "model.npz",
                                                          "report.html"]


@pytest.mark.parametrize("text, header, rows", [
    ("1.5,2\n3,4\n5,6\n", False, 3),                 # numbers only: never a header
    ("a,b\n1,2\n3,4\n", True, 2),
    ("x;y\n1,5;2\n3;4\n", True, 2),                  # semicolons, decimal commas stay text
    ("1,red\n2,blue\n3,red\n", False, 3),            # text column, no header
    ("id,colour\n1,red\n2,blue\n", True, 2),
    ("a\tb\n1\t2\n", True, 1),
])
def test_header_detection_never_loses_a_row(tmp_path, text, header, rows):
    path = tmp_path / "t.csv"
    path.write_text(text)
    frame = read_frame(path)
    assert frame.shape[0] == rows
    assert (list(frame.columns)[0] == "x1") == (not header)


def test_outputs_are_all_or_none(tmp_path):
    out = Outputs()
    a = out.plan(tmp_path / "a.csv", "--labels-out")
    b = out.plan(tmp_path / "b.npz", "--model-out")
    out.set(a, lambda tmp: open(tmp, "w").write("labels"))

    def fail(tmp):
        raise RuntimeError("model writer broke")

    out.set(b, fail)
    with pytest.raises(RuntimeError):
        out.commit()
    assert list(tmp_path.iterdir()) == []


def test_output_directory_checked_before_reading(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        Outputs().plan(tmp_path / "missing" / "a.csv", "--labels-out")
    with pytest.raises(UsageError, match="is a directory"):
        Outputs().plan(tmp_path, "--labels-out")


def test_labels_file_not_left_behind_when_saving_the_model_fails(tmp_path, monkeypatch, capsys):
    """Issue 12: the labels file used to be written before the model failed."""
    import clusterlab.io

    def broken(model, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(clusterlab.io, "save_model", broken)
    csv = tmp_path / "data.csv"
    pd.DataFrame(load_faithful(), columns=["eruptions", "waiting"]).to_csv(csv, index=False)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert main(["fit", str(csv), "--k", "2", "--out", str(out_dir), "--quiet"]) == 2
    assert "--model-out" in capsys.readouterr().err
    assert list(out_dir.iterdir()) == []


def test_internal_error_is_one_line_exit_1(tmp_path, monkeypatch, capsys):
    import clusterlab.cli._fit as fit

    def boom(args, ctx):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(fit, "fit_model", boom)
    assert main(["fit", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["clusterlab: internal error: RuntimeError: unexpected (run with --debug for "
                   "the traceback)"]


def test_saved_pipeline_holds_columns_scaler_and_policy(tmp_path):
    csv = tmp_path / "data.csv"
    frame = pd.DataFrame(load_faithful(), columns=["eruptions", "waiting"])
    frame.to_csv(csv, index=False)
    out, _ = _console()
    assert run(["fit", str(csv), "--method", "gmm", "--k", "2", "--scale", "robust",
                "--missing", "refuse", "--seed", "0", "--out", str(tmp_path), "--quiet"],
               out=out) == 0
    model = load_model(tmp_path / "model.npz")
    assert [name for name, _ in model.steps] == ["columns", "scale", "model"]
    assert model.steps[0][1].columns == ["eruptions", "waiting"]
    assert model.steps[0][1].missing == "refuse"
    assert type(model.steps[1][1]).__name__ == "RobustScaler"
    np.testing.assert_allclose(model.steps[1][1].center_, np.median(frame.to_numpy(), axis=0))
    labels = pd.read_csv(tmp_path / "labels.csv")["label"].to_numpy()
    # raw rows, in another column order, through the saved pipeline
    np.testing.assert_array_equal(model.predict(frame[["waiting", "eruptions"]]), labels)


def test_seed_defaults_to_none_and_is_reported(tmp_path):
    out, buf = _console()
    assert run(["fit", "--k", "2", "--out", str(tmp_path), "--quiet"], out=out) == 0
    assert "seed " in buf.getvalue()
    html = (tmp_path / "report.html").read_text()
    assert "--seed " in html  # the drawn seed is in the command that repeats the run


@pytest.mark.parametrize("suffix", [".tsv", ".parquet", ".npy", ".txt"])
def test_every_table_format_reads_the_same_numbers(tmp_path, suffix):
    X = load_faithful()
    path = tmp_path / f"t{suffix}"
    frame = pd.DataFrame(X, columns=["eruptions", "waiting"])
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".parquet":
        pytest.importorskip("pyarrow", reason="Parquet needs the parquet extra")
        frame.to_parquet(path)
    elif suffix == ".npy":
        np.save(path, X)
    else:
        frame.to_csv(path, sep=" ", index=False)
    got = read_frame(path)
    np.testing.assert_array_equal(got.to_numpy(dtype=float), X)


def test_density_at_points_and_tree_by_height(tmp_path):
    csv = tmp_path / "data.csv"
    pd.DataFrame(load_faithful(), columns=["eruptions", "waiting"]).to_csv(csv, index=False)
    points = tmp_path / "at.csv"
    pd.DataFrame({"eruptions": [2.0, 4.5], "waiting": [55.0, 80.0]}).to_csv(points, index=False)
    out, _ = _console()
    assert run(["density", str(csv), "--at", str(points), "--out", str(tmp_path / "d.csv"),
                "--quiet"], out=out) == 0
    dens = pd.read_csv(tmp_path / "d.csv")
    from clusterlab import KernelDensity

    # the CLI's default rule is scipy's Scott (scott_cov), not the library's default 1.0
    expected = np.exp(KernelDensity(bandwidth="scott_cov").fit(load_faithful()).score_samples(
        np.array([[2.0, 55.0], [4.5, 80.0]])))
    np.testing.assert_allclose(dens["density"], expected, rtol=1e-10)
    assert run(["density", str(csv), "--at", str(points), "--out", str(tmp_path / "e.csv"),
                "--bandwidth", "0.5", "--kernel", "epanechnikov", "--kernel-form", "product",
                "--bandwidth-meaning", "std", "--quiet"], out=out) == 0
    expected = np.exp(KernelDensity(bandwidth=0.5, kernel="epanechnikov", kernel_form="product",
                                    bandwidth_meaning="std").fit(load_faithful()).score_samples(
        np.array([[2.0, 55.0], [4.5, 80.0]])))
    np.testing.assert_allclose(pd.read_csv(tmp_path / "e.csv")["density"], expected, rtol=1e-10)
    assert run(["tree", str(csv), "--height", "5", "--labels-out", str(tmp_path / "t.csv"),
                "--quiet"], out=out) == 0
    from sklearn.preprocessing import StandardScaler

    from clusterlab import Tree, linkage
    from clusterlab.io.tables import numeric_table

    # the CLI's own scaling: ward's tree on faithful's tied distances turns on the last bit
    Xs = StandardScaler().fit_transform(numeric_table(read_frame(csv)).X)
    expected = Tree(linkage(Xs, method="ward")).cut(height=5.0)
    from sklearn.metrics import adjusted_rand_score

    got = pd.read_csv(tmp_path / "t.csv")["label"]
    assert got.nunique() == np.unique(expected).size
    assert adjusted_rand_score(got, expected) == 1.0
