"""One module per command group; each exposes ``register(app)``.

Options several commands take live here, so the same file is described the same way
wherever it is asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: The allocator's settings table: ``allocate`` and ``assign`` read the same file.
SettingsFile = Annotated[
    Path,
    typer.Option(help="settings.csv: setting_id, sector, programmes, lat, lon, active"),
]
