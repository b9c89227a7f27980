"""axe-core, the accessibility engine, from its npm package (installed once into a cache folder, as the
stylesheet is: cbl/assets.py), injected into a page to check it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_CORE = "4.14.1"
SERIOUS = ("serious", "critical")


def axe_script() -> Path:
    """axe.min.js of the pinned version; the test is skipped where npm cannot fetch it."""
    base = Path(os.environ.get("CBL_AXE_DIR", Path.home() / ".cache" / "cbl" / f"axe-core-{AXE_CORE}"))
    script = base / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: axe-core cannot be fetched")
    base.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(base), "--no-audit", "--no-fund", "--silent",
                           f"axe-core@{AXE_CORE}"], capture_output=True, text=True, check=False)
    if done.returncode != 0 or not script.exists():
        pytest.skip(f"could not install axe-core from npm: {done.stderr.strip()[-300:]}")
    return script


def serious_violations(page: Page) -> list[str]:
    """What axe-core finds on the page as it stands, serious or critical, each as its rule and where."""
    page.add_script_tag(path=str(axe_script()))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [f"{item['id']} ({item['impact']}): {[node['target'] for node in item['nodes']][:3]}"
            for item in found if item["impact"] in SERIOUS]
