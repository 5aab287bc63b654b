"""The limits lightdose applies, each defined once: safety standards and the input bounds of every stage.

Safety standards (not physical parameters: a parameter set cannot change them):

- skin in contact with an applied part for ≥ 10 min: 43 °C (IEC 60601-1:2005+A1:2012, clause 11.1.2.2);
- skin maximum permissible exposure, 400–1400 nm: 0.2·C_A W/cm² for 10 s–30 000 s and 1.1·C_A·t^0.25 J/cm² for
  10⁻⁷–10 s (ICNIRP 2013, Health Phys 105:271; the same values in IEC 60825-1 and ANSI Z136.1);
- eye (cornea and lens), infrared 780 nm–3 µm: 1.8·t^−0.75 W/cm² for t ≤ 1000 s, 10 mW/cm² beyond (ICNIRP 2013;
  IEC 62471:2006);
- core temperature of significant hyperthermia: 39 °C, lightdose's conservative threshold one degree below the
  > 40 °C core temperature that defines heat stroke (Bouchama & Knochel 2002, N Engl J Med 346:1978).

Input bounds (what the stages can compute; `validate` enforces them so that a valid scenario can be planned):
the longest session, the longest time followed after it and the largest device-to-skin distance.

Units are canonical: s, mm, °C, W/mm² (irradiance) and J/mm² (radiant exposure).
"""

from __future__ import annotations

CONTACT_SKIN_LIMIT_C = 43.0
"""Highest temperature of skin in contact with an applied part for ≥ 10 min [°C] (IEC 60601-1)."""

W_MM2_PER_W_CM2 = 0.01
"""1 W/cm² = 0.01 W/mm² (the standards state their limits per cm²)."""

SKIN_MPE_W_CM2 = 0.2
"""Skin MPE for 10 s–30 000 s before the wavelength factor C_A [W/cm²] (ICNIRP 2013)."""
SKIN_MPE_SHORT_J_CM2 = 1.1
"""Skin MPE for 10⁻⁷–10 s, H = 1.1·C_A·t^0.25 [J/cm²] (ICNIRP 2013)."""
SKIN_MPE_LONG_S = 10.0
"""Shortest exposure [s] for which the skin MPE is a constant irradiance."""
SKIN_MPE_MAX_S = 30_000.0
"""Longest exposure [s] the skin MPE covers."""
SKIN_MPE_LARGE_AREA_CM2 = 100.0
"""Exposed area above which the standards reduce the skin MPE [cm²] (not applied by lightdose, which says so)."""

EYE_IR_MIN_NM = 780.0
"""Shortest wavelength of the infrared eye limit [nm] (IEC 62471)."""
EYE_IR_LONG_W_CM2 = 0.01
"""Cornea/lens infrared limit for t > 1000 s, 10 mW/cm² (ICNIRP 2013, IEC 62471)."""
EYE_IR_SHORT_W_CM2 = 1.8
"""Cornea/lens infrared limit for t ≤ 1000 s, E = 1.8·t^−0.75 W/cm² (ICNIRP 2013, IEC 62471)."""
EYE_IR_LONG_S = 1000.0
"""Exposure [s] from which the eye limit is the constant :data:`EYE_IR_LONG_W_CM2`."""

OMEGA_LIMIT = 0.1
"""The planner's default limit on Henriques' damage integral Ω at the basal epidermis (lightdose's choice): Ω = 0.1
is reached after a tenth of the time to the burn threshold Ω = 1 — 24 min at 44 °C, 6.7 min at 46 °C, 32 s at
50 °C, 10–15 times shorter than the thresholds Moritz & Henriques (1947) measured at 44–51 °C."""
CEM43_LIMIT_MIN = 40.0
"""The planner's default limit on the burn dose CEM43 at the basal epidermis [min]: the skin held at the 43 °C contact
limit for a 40-minute session (lightdose's choice, consistent with IEC 60601-1)."""

HYPERTHERMIA_CORE_C = 39.0
"""Core temperature of significant hyperthermia [°C] (lightdose's threshold, 1 °C below heat stroke)."""

MAX_SESSION_S = 4 * 3600.0
"""Longest session or exposure any stage accepts [s]: 4 h, beyond treatment protocols (minutes to ~1 h) and far
beyond the perfusion model's calibration (local heating for ≤ 90 min, Minson, Berry & Joyner 2001)."""
MAX_AFTER_S = 24 * 3600.0
"""Longest time followed after a session [s]: one day, the spacing of daily sessions; skin temperature and perfusion
are back at rest within ~1 h (docs/perfusion.md)."""
MAX_DISTANCE_MM = 3000.0
"""Largest gap between a device and the skin [mm] (lightdose's plausibility bound: panels are used at 15–50 cm)."""
MAX_DEPTH_MM = 100.0
"""Deepest depth a dose profile may reach [mm]: 10 cm, beyond the deepest therapy targets (lumbar paraspinal muscle,
~4 cm) and deep enough to test claims of light "penetrating 2–7 cm"."""
MAX_PAD_HEAT_W_MM2 = 0.01
"""Largest waste heat of a contact pad into the skin [W/mm²] = 1 W/cm², the highest irradiance the skin MPE allows
any wavelength (0.2·C_A W/cm² with C_A ≤ 5, ICNIRP 2013): a pad giving off more heat than that is a hotplate, not a
light-therapy pad (a tenth of it already takes the skin past 43 °C within minutes)."""
