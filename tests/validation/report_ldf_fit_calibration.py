"""Print the per-parameter calibration of the LDF fit's standard errors (docs/ldf.md, docs/validation.md): many
noise draws of the recording of test_ldf_fit_recovery.py, and the same draws scaled to a quarter of the noise.

    cd tests/validation && ../../.venv/bin/python report_ldf_fit_calibration.py [DRAWS]   # ~1 s per fit

For each parameter: mean and SD of z = (fitted − true)/SE (N(0, 1) if the SEs are right), the share within 2 SE
(95.4 %) and the binomial SE of that share; the Mahalanobis distances d² = zᵀR⁻¹z of the whole fit (χ²(k));
and, per parameter, the correlation of z between the 4-PU and the 1-PU fits of the same normalised noise. For a
model that is linear in its parameters over the scatter of the estimates, z does not depend on the noise level,
so that correlation is 1: how far it falls short measures the nonlinearity.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import stats
from test_ldf_fit_recovery import TRUTH, recording, white

from lightdose.physiology.ldf_fit import fit_recording

NOISE_SCALE = 0.25
"""The second set of fits: the same noise draws times this."""


def z_scores(draws: int, scale: float) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names, z per draw and parameter, and each draw's d²."""
    z, d2, names = [], [], []
    for seed in range(draws):
        result = fit_recording(recording(scale * white(1000 + seed)))
        names = [p.name for p in result.fitted]
        z.append([(p.value - TRUTH[p.name]) / p.standard_error for p in result.fitted])
        d2.append(np.array(z[-1]) @ np.linalg.solve(np.array(result.correlation), np.array(z[-1])))
    return names, np.array(z), np.array(d2)


def main() -> None:
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 640
    names, z, d2 = z_scores(draws, 1.0)
    _, z_low, _ = z_scores(draws, NOISE_SCALE)
    within = stats.norm.cdf(2.0) - stats.norm.cdf(-2.0)
    print(f"{draws} draws; SE of an SD {1 / np.sqrt(2 * (draws - 1)):.3f}; binomial SE of the share within 2 SE "
          f"{100 * np.sqrt(within * (1 - within) / draws):.2f} points")
    print("| parameter | mean z | SD of z | within 2 SE | within 3 SE | corr. of z, 4 vs 1 PU |")
    print("|---|---:|---:|---:|---:|---:|")
    for j, name in enumerate(names):
        print(f"| {name} | {z[:, j].mean():+.3f} | {z[:, j].std(ddof=1):.3f} | "
              f"{100 * np.mean(np.abs(z[:, j]) <= 2):.1f} % | {100 * np.mean(np.abs(z[:, j]) <= 3):.1f} % | "
              f"{np.corrcoef(z[:, j], z_low[:, j])[0, 1]:.4f} |")
    k = len(names)
    p = stats.chi2.sf(d2.sum(), draws * k)
    print(f"d²: mean {d2.mean():.3f} (expected {k} ± {np.sqrt(2 * k / draws):.3f}); Σd² {d2.sum():.0f} against "
          f"χ²({draws * k}): two-sided p = {2 * min(p, 1 - p):.2f}")


if __name__ == "__main__":
    main()
