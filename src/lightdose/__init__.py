"""lightdose: light transport, heating and dosimetry for red/near-infrared light therapy.

Not a medical device. Results are physical model estimates; see the README for evidence levels.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("lightdose")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"


def __getattr__(name: str) -> Any:  # lazy: `import lightdose` stays light; `lightdose.plan` loads the planner
    if name == "plan":
        from lightdose.planning import plan

        return plan
    raise AttributeError(f"module 'lightdose' has no attribute {name!r}")


__all__ = ["__version__", "plan"]
