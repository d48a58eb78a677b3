"""rh.data.load_co2: the weekly Mauna Loa CO2 record from statsmodels (chapter 07)."""

import sys
import types

import numpy as np
import pytest

import rnn_helpers as rh


def _fake_statsmodels(monkeypatch, dates, values):
    """Put a stand-in statsmodels.datasets.co2 that serves (dates, values)."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"co2": values}, index=pd.DatetimeIndex(dates))
    co2 = types.ModuleType("statsmodels.datasets.co2")
    co2.load_pandas = lambda: types.SimpleNamespace(data=frame)
    datasets = types.ModuleType("statsmodels.datasets")
    datasets.co2 = co2
    package = types.ModuleType("statsmodels")
    package.datasets = datasets
    for name, module in [
        ("statsmodels", package),
        ("statsmodels.datasets", datasets),
        ("statsmodels.datasets.co2", co2),
    ]:
        monkeypatch.setitem(sys.modules, name, module)


def _weeks(n, start="1958-03-29"):
    return np.datetime64(start) + 7 * np.arange(n)


def test_load_co2_says_how_to_install_statsmodels_when_it_is_absent(monkeypatch):
    for name in ("statsmodels", "statsmodels.datasets", "statsmodels.datasets.co2"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    with pytest.raises(ModuleNotFoundError, match="pip install statsmodels"):
        rh.data.load_co2()


def test_load_co2_counts_missing_weeks_and_interpolates_them(monkeypatch):
    _fake_statsmodels(monkeypatch, _weeks(6), [310.0, np.nan, np.nan, 313.0, 314, 315])
    record = rh.data.load_co2()
    assert record.missing.tolist() == [False, True, True, False, False, False]
    assert record.missing.sum() == 2
    np.testing.assert_allclose(record.ppm, [310, 311, 312, 313, 314, 315])
    assert record.dates.dtype == np.dtype("datetime64[D]")
    np.testing.assert_array_equal(record.dates, _weeks(6))


def test_load_co2_previous_repeats_the_last_measured_week(monkeypatch):
    _fake_statsmodels(monkeypatch, _weeks(5), [np.nan, 311.0, np.nan, np.nan, 314.0])
    record = rh.data.load_co2(fill="previous")
    np.testing.assert_array_equal(record.ppm, [311, 311, 311, 311, 314])
    assert record.missing.sum() == 3


def test_load_co2_none_leaves_the_missing_weeks_as_nan(monkeypatch):
    _fake_statsmodels(monkeypatch, _weeks(4), [310.0, np.nan, 312.0, np.nan])
    record = rh.data.load_co2(fill="none")
    np.testing.assert_array_equal(np.isnan(record.ppm), record.missing)
    assert record.missing.tolist() == [False, True, False, True]


def test_load_co2_linear_takes_the_nearest_measurement_beyond_the_ends(monkeypatch):
    _fake_statsmodels(monkeypatch, _weeks(5), [np.nan, 311.0, 313.0, np.nan, np.nan])
    np.testing.assert_array_equal(rh.data.load_co2().ppm, [311, 311, 313, 313, 313])


def test_load_co2_gives_decimal_years(monkeypatch):
    _fake_statsmodels(monkeypatch, ["2001-01-01", "2001-01-08"], [370.0, 371.0])
    np.testing.assert_allclose(rh.data.load_co2().years, [2001, 2001 + 7 / 365])


def test_load_co2_rejects_an_unknown_fill():
    with pytest.raises(ValueError, match="fill must be one of 'linear', 'previous'"):
        rh.data.load_co2(fill="mean")


def test_load_co2_rejects_a_record_that_is_not_weekly(monkeypatch):
    dates = ["1958-03-29", "1958-04-05", "1958-04-19"]
    _fake_statsmodels(monkeypatch, dates, [315.0, 316.0, 317.0])
    with pytest.raises(ValueError, match=r"one row per week .* got gaps of \[7, 14\]"):
        rh.data.load_co2()


def test_load_co2_rejects_a_record_without_measurements(monkeypatch):
    _fake_statsmodels(monkeypatch, _weeks(3), [np.nan, np.nan, np.nan])
    with pytest.raises(ValueError, match="positive concentrations, got 0 measured"):
        rh.data.load_co2()


def test_load_co2_reads_the_real_record_when_statsmodels_is_installed():
    pytest.importorskip("statsmodels")
    record = rh.data.load_co2()
    assert len(record.dates) == len(record.ppm) == len(record.missing) > 2000
    assert str(record.dates[0]) == "1958-03-29" and record.years[-1] < 2002
    assert 0 < record.missing.sum() < 100 and np.all(np.isfinite(record.ppm))
    assert 310 < record.ppm.min() < record.ppm.max() < 380
