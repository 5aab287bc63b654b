"""lightdose: light transport, heating and dosimetry for red/near-infrared light therapy.

Not a medical device. Results are physical model estimates; see the README for evidence levels.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lightdose")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__"]
