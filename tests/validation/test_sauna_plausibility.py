"""The JOS-3 sauna model in Waon therapy's cabin (60 °C far-infrared cabin for 15 min): how its core and rectal
temperatures relate.

The published reference — Kihara et al. 2004 (Circ J 68:1146): Waon therapy raised deep body temperature by 1.0–1.2 °C
— is kept as data in tests/reference/sauna.yaml (row `kihara-waon-core-rise`, with its tolerance and known limits) and
run by tests/validation/test_references.py. Here: a property of the model that the reference row relies on, and the
numbers for docs/sauna.md (``python tests/validation/test_sauna_plausibility.py``). Measured with pythermalcomfort
4.8.1: core (central blood) +0.94 °C, rectal (pelvis core) +0.42 °C.
"""

from lightdose.thermal.sauna import SaunaRequest, simulate_sauna

WAON = SaunaRequest(air_temperature="60 degC", relative_humidity="20 %", exposure="15 min")


def rises() -> tuple[float, float]:
    """Rise of core (central blood) and rectal temperature [°C] after 15 min at 60 °C."""
    result = simulate_sauna(WAON)
    ds = result.dataset
    return result.peak_core_rise_c, float(ds.rectal_temp[-1] - ds.rectal_temp[0])


def test_rectal_temperature_lags_the_central_blood():
    """JOS-3's pelvis core warms later than its central blood: within 15 min it rises less (so the reference row
    compares Kihara's deep body temperature with the central blood, and says that the rectal value would fail)."""
    core, rectal = rises()
    assert 0.0 < rectal < core


if __name__ == "__main__":
    core_rise, rectal_rise = rises()
    print(f"60 °C, 20 % RH, 15 min: core (central blood) +{core_rise:.2f} °C, rectal (pelvis core) "
          f"+{rectal_rise:.2f} °C; Kihara 2004: +1.0–1.2 °C (tests/reference/sauna.yaml)")
