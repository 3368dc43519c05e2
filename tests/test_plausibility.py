"""Results no real sector produces are flagged with the causes behind them."""

import pandas as pd

from circdebt.results import plausibility


def _annual(stocks, one_offs):
    return pd.DataFrame({"fy": [f"FY{2026 + i}" for i in range(len(stocks))],
                         "cd_stock_bn_pkr": stocks,
                         "flow_policy_one_offs_bn_pkr": one_offs,
                         "flow_excess_losses_bn_pkr": [50.0] * len(stocks)})


def test_a_negative_stock_is_flagged_naming_the_lines_that_took_it_down():
    (warning,) = plausibility.warnings(_annual([100.0, -900.0, -800.0],
                                               [0.0, -1000.0, 0.0]))
    assert "negative from FY2027" in warning and "-900" in warning
    assert "policy one offs -1,000" in warning and "excess losses" not in warning


def test_a_stock_at_or_above_zero_is_not_flagged():
    assert plausibility.warnings(_annual([100.0, 0.0, -0.5], [0.0, -100.0, -0.5])) == []


def test_run_prints_the_warning_and_still_writes_its_outputs(tmp_path):
    from typer.testing import CliRunner

    from circdebt.cli.app import app

    scenario = tmp_path / "s.toml"
    here = __import__("pathlib").Path(__file__).resolve().parent / "data"
    for name in ("worked_example.toml", "worked_example_24m.toml"):
        (tmp_path / name).write_text((here / name).read_text("utf-8"), "utf-8")
    scenario.write_text('extends = "worked_example_24m.toml"\n[[policies]]\n'
                        'type = "budget_injection"\nstart = "2025-08"\n'
                        'amount_bn_pkr = 50000.0\n', "utf-8")
    result = CliRunner().invoke(app, ["run", str(scenario), "--out", str(tmp_path / "o"),
                                      "-q"])
    assert result.exit_code == 0, result.output
    assert "warning: the circular-debt stock is negative" in result.stderr
    assert (tmp_path / "o" / "annual.csv").exists()
