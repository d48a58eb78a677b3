"""The weekly Mauna Loa CO2 record that statsmodels ships (chapter 07)."""

from typing import NamedTuple

import numpy as np

from .. import checks

FILLS = ("linear", "previous", "none")


class Co2Record(NamedTuple):
    """Weekly CO2 at Mauna Loa: ``dates``, ``ppm`` and ``missing``, all ``(weeks,)``.

    ``dates``: ``datetime64[D]``, one Saturday per week, 7 days apart;
    ``ppm``: float64 concentrations in parts per million (filled where the
    record has no measurement, NaN there with ``fill="none"``); ``missing``:
    bool, True for the weeks without a measurement.
    """

    dates: np.ndarray
    ppm: np.ndarray
    missing: np.ndarray

    @property
    def years(self):
        """Each week's date as a decimal year, e.g. 1958.24: float64 ``(weeks,)``."""
        year = self.dates.astype("datetime64[Y]")
        start = year.astype("datetime64[D]")
        length = (year + 1).astype("datetime64[D]") - start
        return (year.astype(np.int64) + 1970) + (self.dates - start) / length


def load_co2(fill="linear"):
    """The weekly Mauna Loa CO2 record, March 1958 to December 2001 (chapter 07).

    Read from ``statsmodels.datasets.co2`` (imported only here: statsmodels
    is not a dependency of the helpers; Colab ships it). The record has
    weeks without a measurement; ``fill`` says what they hold:
    ``"linear"`` (default) interpolates in time between the nearest
    measured weeks, ``"previous"`` repeats the last measured value,
    ``"none"`` leaves NaN. Weeks before the first measurement take the
    first one in both filled modes. Returns a ``Co2Record`` of ``(weeks,)``
    arrays; ``record.missing.sum()`` counts the filled weeks.
    """
    fill = checks.choice(fill, "fill", FILLS)
    try:
        from statsmodels.datasets import co2
    except ImportError as error:
        raise ModuleNotFoundError(
            "load_co2 reads the Mauna Loa record that statsmodels ships, and "
            "statsmodels is not installed: pip install statsmodels (Colab has it)"
        ) from error
    frame = co2.load_pandas().data
    dates = np.asarray(frame.index.values).astype("datetime64[D]")
    ppm = np.asarray(frame["co2"].to_numpy(dtype=np.float64, na_value=np.nan))
    return _record(dates, ppm, fill)


def _record(dates, ppm, fill):
    """Check one weekly record and fill its gaps: a ``Co2Record``."""
    if dates.ndim != 1 or ppm.shape != dates.shape or len(dates) < 2:
        raise ValueError(
            "statsmodels' CO2 record must hold one date per value and at least "
            f"two weeks, got {dates.shape} dates and {ppm.shape} values"
        )
    steps = np.unique(np.diff(dates).astype(np.int64))
    if steps.tolist() != [7]:
        raise ValueError(
            "statsmodels' CO2 record must have one row per week (7 days apart), "
            f"got gaps of {steps.tolist()} days"
        )
    missing = ~np.isfinite(ppm)
    measured = np.flatnonzero(~missing)
    if len(measured) == 0 or np.any(ppm[measured] <= 0):
        raise ValueError(
            "statsmodels' CO2 record must hold positive concentrations, got "
            f"{len(measured)} measured weeks with minimum "
            f"{ppm[measured].min() if len(measured) else 'none'}"
        )
    ppm = ppm.copy()
    if fill == "linear":
        weeks = np.arange(len(ppm))
        ppm[missing] = np.interp(weeks[missing], measured, ppm[measured])
    elif fill == "previous":
        # Index of the last measured week at or before each week (the first
        # measured week for the weeks before it).
        last = np.maximum.accumulate(np.where(missing, 0, np.arange(len(ppm))))
        last[: measured[0]] = measured[0]
        ppm = ppm[last]
    return Co2Record(dates, ppm, missing)
