"""The `lightdose` command line: one module per stage, each thin (parse → request → stage → present).

The modules are imported in the order of the chain (optics → plans), which is the order `lightdose --help` lists
their commands in.
"""
# isort: skip_file

from lightdose.cli.app import app
from lightdose.cli import optics  # noqa: F401 (registers commands)
from lightdose.cli import mc  # noqa: F401
from lightdose.cli import devices  # noqa: F401
from lightdose.cli import sites  # noqa: F401
from lightdose.cli import dose  # noqa: F401
from lightdose.cli import penetration  # noqa: F401
from lightdose.cli import thermal  # noqa: F401
from lightdose.cli import burn  # noqa: F401
from lightdose.cli import physiology  # noqa: F401
from lightdose.cli import ldf  # noqa: F401
from lightdose.cli import planning  # noqa: F401
from lightdose.cli import sweep  # noqa: F401
from lightdose.cli import serve  # noqa: F401
from lightdose.cli import records  # noqa: F401

__all__ = ["app"]
