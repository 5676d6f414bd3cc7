"""A built wheel, installed without the source tree, carries and loads the pretrained models and scores a capture and
a flow file with no checkpoint (`pip install .` then `moe-ids score ...`)."""
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    "A wheel built from a copy of the checkout, installed into a folder of its own: (wheel, that folder)."
    tmp_path = tmp_path_factory.mktemp("wheel")
    src = tmp_path / "src"            # build from a copy: nothing is written into the checkout (no build/, egg-info)
    src.mkdir()
    for f in ("setup.py", "settings.ini", "README.md"): shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "moe_ids", src / "moe_ids", ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path / "dist")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("moe_ids-*.whl"))
    # a non-editable install: the wheel's files alone (first on sys.path), the dependencies from this environment
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return wheel, site


def _run(site: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    "Python `code` run with only the installed wheel's package importable as moe_ids."
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd)


def test_wheel_carries_and_loads_the_pretrained_models(installed, tmp_path):
    from moe_ids.checkpoint import PRETRAINED
    wheel, site = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in PRETRAINED:
        for f in ("config.json", "model.safetensors", "MODEL_CARD.md", "card.json"):
            assert f"moe_ids/models/{name}/{f}" in names, f"{wheel.name} lacks moe_ids/models/{name}/{f}"
    code = ("import moe_ids, pathlib; from moe_ids.checkpoint import PRETRAINED, load_pretrained\n"
            "assert pathlib.Path(moe_ids.__file__).parent.parent == pathlib.Path(r'%s'), moe_ids.__file__\n"
            "for n in PRETRAINED: print(n, load_pretrained(n).spec.dataset)" % site)
    r = _run(site, code, tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == [w for n in PRETRAINED for w in (n, n)], r.stdout


def test_installed_wheel_scores_a_capture_and_a_flow_file(installed, tmp_path):
    from moe_ids.data import find_data_root
    root = find_data_root()
    if root is None or not (root / "pcap").is_dir(): pytest.skip("../shared/data/pcap is not here")
    if importlib.util.find_spec("nfstream") is None: pytest.skip("NFStream is not installed (moe-ids[pcap])")
    _, site = installed
    pcap, flows = root / "pcap" / "ftp-bruteforce_zeek.pcap", root / "pcap" / "dos-slowloris_kihy.pcap_Flow.csv"
    for src, n in ((pcap, 30), (flows, 300)):
        out = tmp_path / f"{src.stem}.csv"
        code = ("import sys, moe_ids, pathlib; from moe_ids.cli import main\n"
                "assert pathlib.Path(moe_ids.__file__).parent.parent == pathlib.Path(r'%s')\n"
                "sys.exit(main(['score', r'%s', '-o', r'%s', '--no-progress']))" % (site, src, out))
        r = _run(site, code, tmp_path)
        assert r.returncode == 0, r.stderr[-3000:]
        assert "no --checkpoint: using the pretrained cicids2017 model" in r.stderr
        assert len(out.read_text().splitlines()) == n + 1
