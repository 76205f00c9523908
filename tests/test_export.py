"""CSV and Parquet export (ikelog/export.py, ``analyze --csv/--parquet``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import ikelog
from ikelog import export
from ikelog.cli import app
from ikelog.frames import TABLES
from ikelog.trace import Trace

from .conftest import SAMPLES

SEED = SAMPLES / "windows-eap-mschapv2.log"


@pytest.fixture(scope="module")
def seed() -> Trace:
    return ikelog.load(SEED, year=2025)


def test_csv_writes_every_table(seed: Trace, tmp_path: Path) -> None:
    paths = export.write_tables(seed.tables.all(), tmp_path / "out", "csv")
    assert sorted(p.name for p in paths) == sorted(f"{n}.csv" for n in TABLES)
    sas = pd.read_csv(tmp_path / "out" / "ike_sas.csv", index_col="sa")
    assert sas.loc[0, "sa_label"] == "eap[3]"
    assert sas.loc[0, "pairs_to_establish"] == 7
    assert sas.loc[0, "first_time"] == "1900-01-01 09:58:20"
    xs = pd.read_csv(tmp_path / "out" / "exchanges.csv")
    assert len(xs) == 12
    assert xs.loc[1, "request"].startswith("IDi CERTREQ")
    events = pd.read_csv(tmp_path / "out" / "events.csv")
    assert len(events) == 116
    assert events.loc[0, "body"].startswith("DaemonStart(")


def test_parquet_keeps_the_dtypes(seed: Trace, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    export.write_tables(seed.tables.all(), tmp_path, "parquet")
    sas = pd.read_parquet(tmp_path / "ike_sas.parquet")
    assert sas.index.name == "sa"
    assert isinstance(sas["state"].dtype, pd.CategoricalDtype)
    assert str(sas["unique_id"].dtype) == "Int64"
    assert sas["first_time"].dtype.kind == "M"
    xs = pd.read_parquet(tmp_path / "exchanges.parquet")
    assert list(xs["type"][:2]) == ["IKE_SA_INIT", "IKE_AUTH"]
    assert xs["latency"].notna().sum() == 3
    leases = pd.read_parquet(tmp_path / "leases.parquet")
    assert list(leases["address"]) == ["10.10.1.67", "2a02:168:4407:1::3"]


def test_parquet_without_pyarrow_names_the_extra(
    seed: Trace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"ikelog\[parquet\]"):
        export.write_tables(seed.tables.all(), tmp_path, "parquet")
    assert not list(tmp_path.iterdir())


def test_unknown_format(seed: Trace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        export.write_tables(seed.tables.all(), tmp_path, "xlsx")


def test_cli_csv(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = CliRunner().invoke(app, ["analyze", "--csv", str(out), str(SEED)])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(TABLES)} csv tables to {out}" in result.stderr
    assert "eap[3]" in result.stdout  # the report is still printed
    leases = pd.read_csv(out / "leases.csv")
    assert list(leases["identity"]) == ["andi", "andi"]


def test_cli_parquet_with_json(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "pq"
    result = CliRunner().invoke(
        app, ["analyze", "--json", "--parquet", str(out), str(SEED)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("{")  # stdout stays one document
    assert len(pd.read_parquet(out / "events.parquet")) == 116
