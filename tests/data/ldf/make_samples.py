"""Write the synthetic laser-Doppler sample exports in this folder (the tests read the committed files).

Run from the repository root: ``python tests/data/ldf/make_samples.py``. Fixed seeds: the output is reproducible.

The perfusion shapes follow the local-heating responses of Minson 2001, in % of maximal flux: baseline 10 %;
at 42 °C an initial peak of ~75 % at ~4 min (sensory-nerve axon reflex), a nadir of ~60 % at ~9 min and a plateau
of ~87 % by 25–30 min (NO-dependent), after Minson, Berry & Joyner 2001 (J Appl Physiol 91:1619); ~100 % at 44 °C;
after the heat stops an exponential return to baseline. The phenomenological curve used here (an alpha-function
axon reflex plus a three-stage NO rise) is independent of lightdose's perfusion model, so that fitting that model
to these files is a real test. Noise: multiplicative, white (3 %) plus a slow AR(1) "vasomotion" (6 %, 15 s).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

BASELINE_PCT = 10.0
AXON_PCT, AXON_TAU_S, AXON_POWER, AXON_DELAY_S = 59.0, 185.0, 1.7, 30.0
NO_TAU_S = 225.0
MAX_TAU_S, RECOVERY_TAU_S = 150.0, 150.0


def response_pct_max(t: np.ndarray, on: float, off: float, plateau: float, maximum_at: float | None = None,
                     axon_scale: float = 1.0) -> np.ndarray:
    """Noise-free perfusion [% max]: baseline, heating from `on` (plateau level `plateau`), optionally 44 °C from
    `maximum_at` (rising to 100 %), heat off at `off`, recovery."""

    def heating(time: np.ndarray) -> np.ndarray:
        u = np.maximum(time - on - AXON_DELAY_S, 0.0) / AXON_TAU_S
        axon = axon_scale * AXON_PCT * u**AXON_POWER * np.exp(AXON_POWER * (1.0 - u))
        x = np.maximum(time - on, 0.0) / NO_TAU_S
        nitric_oxide = (plateau - BASELINE_PCT) * (1.0 - np.exp(-x) * (1.0 + x + x * x / 2.0))
        return BASELINE_PCT + axon + nitric_oxide

    def maximal(time: np.ndarray) -> np.ndarray:
        start = heating(np.array([maximum_at]))[0]
        return start + (100.0 - start) * (1.0 - np.exp(-(time - maximum_at) / MAX_TAU_S))

    p = np.where(t < on, BASELINE_PCT, heating(t))
    if maximum_at is not None:
        p = np.where(t >= maximum_at, maximal(t), p)
    at_off = (maximal if maximum_at is not None else heating)(np.array([off]))[0]
    recovery = BASELINE_PCT + (at_off - BASELINE_PCT) * np.exp(-(t - off) / RECOVERY_TAU_S)
    return np.where(t >= off, recovery, p)


def noise(rng: np.random.Generator, n: int, dt: float) -> np.ndarray:
    """Multiplicative noise factor: 1 + white (3 %) + AR(1) vasomotion (6 %, correlation time 15 s)."""
    phi = np.exp(-dt / 15.0)
    slow = np.empty(n)
    slow[0] = rng.normal(0.0, 0.06)
    kicks = rng.normal(0.0, 0.06 * np.sqrt(1.0 - phi**2), n)
    for i in range(1, n):
        slow[i] = phi * slow[i - 1] + kicks[i]
    return 1.0 + slow + rng.normal(0.0, 0.03, n)


def probe_temperature(rng: np.random.Generator, t: np.ndarray, steps: list[tuple[float, float]],
                      resting: float = 33.0) -> np.ndarray:
    """Heater-probe temperature [°C], rounded to 0.1 °C: a first-order approach to each set point (time, °C) in
    turn, τ = 20 s while heating; a set point below 34 °C means the heater is off (cooling with τ = 60 s)."""
    temperature = np.empty_like(t)
    current = resting
    target, tau = resting, 20.0
    for i, time in enumerate(t):
        for start, set_point in steps:
            if abs(time - start) < 1e-9 or (i > 0 and t[i - 1] < start <= time):
                target, tau = set_point, (20.0 if set_point > 34.0 else 60.0)
        dt = time - t[i - 1] if i else 0.0
        current = target + (current - target) * np.exp(-dt / tau)
        temperature[i] = current
    return np.round(temperature + rng.normal(0.0, 0.03, t.size), 1)


def clock(seconds_of_day: float, sep: str, digits: int) -> str:
    seconds_of_day %= 86400.0
    whole = int(seconds_of_day)
    fraction = round((seconds_of_day - whole) * 10**digits)
    if fraction == 10**digits:
        whole, fraction = whole + 1, 0
    h, m, s = whole // 3600 % 24, whole // 60 % 60, whole % 60
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{fraction:0{digits}d}"


def comma(value: float, digits: int) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def write_local_heating_semicolon() -> None:
    """(1) Semicolon-separated, decimal commas, clock times hh:mm:ss,ff, metadata, unit row, two perfusion probes,
    probe temperature, marker column; Windows-1252 text with CRLF line ends. 1 Hz, 68 min."""
    rng = np.random.default_rng(20260314)
    dt, on, maximum_at, off, end = 1.0, 600.0, 2700.0, 3180.0, 4080.0
    t = np.arange(0.0, end, dt)
    start = 9 * 3600 + 41 * 60 + 7.36
    probe1 = 182.0 * response_pct_max(t, on, off, 87.0, maximum_at) / 100.0 * noise(rng, t.size, dt)
    probe2 = 141.0 * response_pct_max(t, on, off, 85.0, maximum_at, axon_scale=0.9) / 100.0 * noise(rng, t.size, dt)
    temp = probe_temperature(rng, t, [(on, 42.0), (maximum_at, 44.0), (off, 32.0)])
    marks = {on: "heat on", maximum_at: "max", off: "heat off"}
    lines = [
        "LDF export - synthetic recording for lightdose tests",
        "Subject: S01",
        "Date: 2026-03-14",
        "Start time: 09:41:07",
        "Sampling rate: 1 Hz",
        "Probe 1: ventral forearm, heating probe",
        "Probe 2: ventral forearm, 5 cm proximal, heating probe",
        "Protocol: local heating 33 °C 10 min, 42 °C 35 min, 44 °C 8 min, heat off",
        "",
        "Time;Perfusion 1;Perfusion 2;Temp 1;Mark",
        "hh:mm:ss,ff;PU;PU;°C;",
    ]
    for i, time in enumerate(t):
        lines.append(";".join([clock(start + time, ",", 2), comma(probe1[i], 1), comma(probe2[i], 1),
                               comma(temp[i], 1), marks.get(float(time), "")]))
    (HERE / "local_heating_semicolon.txt").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def write_neuropathic_tab() -> None:
    """(2) Tab-separated, decimal points, elapsed seconds, units in brackets, flux/concentration/temperature/event;
    a blunted response (diabetic foot) that has not returned to baseline when the recording ends; three samples
    lost (empty cells). UTF-8, 1 Hz, 45 min."""
    rng = np.random.default_rng(7)
    dt, on, off, end = 1.0, 600.0, 2400.0, 2700.0
    t = np.arange(0.0, end, dt)
    pct = response_pct_max(t, on, off, 52.0, axon_scale=0.35)
    flux = 96.0 * pct / 100.0 * noise(rng, t.size, dt)
    conc = 40.0 + 2.2 * np.sqrt(pct) * noise(rng, t.size, dt)
    temp = probe_temperature(rng, t, [(on, 42.0), (off, 32.0)])
    events = {on: "Heating start 42C", off: "Heating stop"}
    lost = {1500, 1501, 1502}
    lines = [
        "# Synthetic laser-Doppler recording for lightdose tests",
        "Subject:\tS02 (type 2 diabetes, peripheral neuropathy)",
        "Site:\tdorsum of the foot",
        "Recorded:\t2026-02-02",
        "",
        "Time (s)\tFlux (PU)\tConc (AU)\tTemp (°C)\tEvent",
    ]
    for i, time in enumerate(t):
        value = "" if i in lost else f"{flux[i]:.2f}"
        lines.append("\t".join([f"{time:.2f}", value, f"{conc[i]:.1f}", f"{temp[i]:.1f}", events.get(float(time), "")]))
    (HERE / "neuropathic_foot_tab.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_midnight_comma() -> None:
    """(3) Comma-separated with decimal points, clock times hh:mm:ss.fff passing midnight, UTF-8 with a byte-order
    mark; 4 Hz, 12 min, heating straight to 44 °C."""
    rng = np.random.default_rng(3)
    dt, on, off, end = 0.25, 180.0, 540.0, 720.0
    t = np.arange(0.0, end, dt)
    start = 23 * 3600 + 55 * 60 + 30.25
    flux = 150.0 * response_pct_max(t, on, off, 100.0) / 100.0 * noise(rng, t.size, dt)
    temp = probe_temperature(rng, t, [(on, 44.0), (off, 32.0)])
    events = {on: "heat on", off: "heat off"}
    lines = ["Time,LDF [PU],Skin temperature [°C],Event"]
    for i, time in enumerate(t):
        lines.append(",".join([clock(start + time, ".", 3), f"{flux[i]:.1f}", f"{temp[i]:.1f}",
                               events.get(float(time), "")]))
    (HERE / "midnight_comma.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def write_truncated() -> None:
    """(4) Malformed: a semicolon/decimal-comma export whose last line was cut off when the recording stopped."""
    rng = np.random.default_rng(11)
    lines = ["Subject: S03", "Sampling rate: 1 Hz", "Time;Perfusion 1;Temp 1;Mark", "hh:mm:ss;PU;°C;"]
    for i in range(40):
        lines.append(f"{clock(10 * 3600 + i, ',', 2)};{comma(18.0 + rng.normal(0, 1), 1)};33,0;")
    lines.append(f"{clock(10 * 3600 + 40, ',', 2)};17,")
    (HERE / "truncated_semicolon.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_local_heating_semicolon()
    write_neuropathic_tab()
    write_midnight_comma()
    write_truncated()
