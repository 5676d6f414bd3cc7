"""A built wheel, installed without the source tree, carries and loads the pretrained models."""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_and_loads_the_pretrained_models(tmp_path):
    from moe_ids.checkpoint import PRETRAINED
    src = tmp_path / "src"            # build from a copy: nothing is written into the checkout (no build/, egg-info)
    src.mkdir()
    for f in ("setup.py", "settings.ini", "README.md"): shutil.copy(ROOT / f, src / f)
    shutil.copytree(ROOT / "moe_ids", src / "moe_ids", ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(tmp_path / "dist")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    wheel = next((tmp_path / "dist").glob("moe_ids-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in PRETRAINED:
        for f in ("config.json", "model.safetensors", "MODEL_CARD.md", "card.json"):
            assert f"moe_ids/models/{name}/{f}" in names, f"{wheel.name} lacks moe_ids/models/{name}/{f}"
    # a non-editable install: the wheel's files alone (first on sys.path), the dependencies from this environment
    site = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    code = ("import moe_ids, pathlib; from moe_ids.checkpoint import PRETRAINED, load_pretrained\n"
            "assert pathlib.Path(moe_ids.__file__).parent.parent == pathlib.Path(r'%s'), moe_ids.__file__\n"
            "for n in PRETRAINED: print(n, load_pretrained(n).spec.dataset)" % site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.split() == [w for n in PRETRAINED for w in (n, n)], r.stdout
