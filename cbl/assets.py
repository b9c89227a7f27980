"""GOV.UK Frontend, installed from the npm registry and compiled by the project's set-up.

Third-party build output is not committed: `cbl assets` (run by `cbl up` when needed) installs
the pinned packages in frontend/package.json into a cache folder and compiles frontend/cbl.scss.
Without npm the pages still work, unstyled.
"""

import logging
import os
import shutil
import subprocess
from pathlib import Path

FRONTEND = Path(__file__).parent / "frontend"
log = logging.getLogger("cbl")


def assets_dir() -> Path:
    return Path(os.environ.get("CBL_ASSETS_DIR", Path.home() / ".cache" / "cbl" / "assets"))


def stylesheet(base: Path | None = None) -> Path:
    return (base or assets_dir()) / "cbl.css"


def govuk_assets(base: Path | None = None) -> Path:
    return (base or assets_dir()) / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets"


def build_assets(base: Path | None = None, *, force: bool = False) -> bool:
    """Install and compile the stylesheet once; False (with a warning) if that cannot be done."""
    base = base or assets_dir()
    manifest = (FRONTEND / "package.json").read_text()
    sources = manifest + (FRONTEND / "cbl.scss").read_text()
    stamp = base / "sources.stamp"
    if not force and stylesheet(base).exists() and stamp.exists() and stamp.read_text() == sources:
        return True
    npm = shutil.which("npm")
    if npm is None:
        log.warning("npm not found: pages will be served without the GOV.UK Frontend styles")
        return False
    base.mkdir(parents=True, exist_ok=True)
    (base / "package.json").write_text(manifest)
    steps = [
        [npm, "install", "--prefix", str(base), "--no-audit", "--no-fund", "--silent"],
        [str(base / "node_modules" / ".bin" / "sass"), f"--load-path={base / 'node_modules'}",
         "--style=compressed", "--quiet-deps", "--no-source-map", str(FRONTEND / "cbl.scss"), str(stylesheet(base))],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False, cwd=base)
        if result.returncode != 0:
            log.warning("could not build the stylesheet (%s): %s", step[0], result.stderr.strip()[-500:])
            return False
    stamp.write_text(sources)
    return True
