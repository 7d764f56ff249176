"""`singan.batch --address` on a real Ray cluster of two nodes on this machine, with token authentication.

The test starts a head node and a second node on 127.0.0.1 (`ray start --block`, one CPU each, ports
chosen free so other Ray instances on the machine are not met), both reading the token that
`ray get-auth-token --generate` wrote into their ~/.ray/auth_token (a HOME of the test's own), waits
until the cluster has its two nodes, checks that a batch without the token is refused with a one-line error,
then trains two images on the cluster with the token given as RAY_AUTH_TOKEN, and stops both nodes by
their process groups (never `ray stop`, which would stop every Ray of the machine).
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers import CLONE_ENV, IMAGES, TINY

pytestmark = pytest.mark.slow

RAY = str(Path(sys.executable).with_name("ray"))
NODES_UP = """
import sys, time, ray
ray.init(address=sys.argv[1], log_to_driver=False)
deadline = time.monotonic() + 120
while len([n for n in ray.nodes() if n["Alive"]]) < 2:
    assert time.monotonic() < deadline, "the second node did not join"
    time.sleep(0.5)
print(sorted(n["Resources"].get("CPU", 0) for n in ray.nodes() if n["Alive"]))
"""


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _node_ports() -> list[str]:
    names = ["--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
             "--dashboard-agent-grpc-port", "--runtime-env-agent-port", "--metrics-export-port"]
    return [arg for name, port in zip(names, _free_ports(len(names))) for arg in (name, str(port))]


def _start_node(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen([RAY, "start", "--block", "--node-ip-address", "127.0.0.1", "--num-cpus", "1",
                                 "--disable-usage-stats", *_node_ports(), *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _stop(node: subprocess.Popen) -> None:
    """SIGTERM to the node's process group (ray start and the processes it started), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 30)):
        try:
            os.killpg(node.pid, sig)
        except ProcessLookupError:
            return
        try:
            node.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        time.sleep(1)  # its children end after it
    try:
        os.killpg(node.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _batch(folder: Path, out: Path, address: str, env: dict) -> subprocess.CompletedProcess:
    flags = [f"--{k}={v}" for k, v in {**TINY, "niter": 3}.items()]
    return subprocess.run([sys.executable, "-m", "singan.batch", "--input_dir", str(folder), "--out", str(out),
                           "--address", address, *flags, "--num_samples=2", "--save_samples=1", "--device=cpu",
                           "--cpus_per_image=1"], env=env, capture_output=True, text=True, timeout=600)


def test_batch_on_a_two_node_cluster_with_token_authentication(tmp_path):
    home, other = tmp_path / "home", tmp_path / "other"
    home.mkdir()
    other.mkdir()
    temp_dir = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))  # short: Ray's socket paths have a length limit
    base = {**CLONE_ENV, "RAY_AUTH_MODE": "token", "RAY_USAGE_STATS_ENABLED": "0"}
    base.pop("RAY_AUTH_TOKEN", None)
    base.pop("RAY_AUTH_TOKEN_PATH", None)
    nodes_env = {**base, "HOME": str(home)}
    token = subprocess.run([RAY, "get-auth-token", "--generate"], env=nodes_env, capture_output=True, text=True,
                           timeout=120, check=True).stdout.strip()
    assert token and (home / ".ray" / "auth_token").read_text().strip() == token
    (port,) = _free_ports(1)
    address = f"127.0.0.1:{port}"
    nodes = [_start_node(["--head", "--port", str(port), "--include-dashboard", "false", "--temp-dir", str(temp_dir)],
                         nodes_env, tmp_path / "head.log")]
    try:
        nodes.append(_start_node(["--address", address], nodes_env, tmp_path / "node.log"))
        assert all(node.poll() is None for node in nodes), (tmp_path / "head.log").read_text()[-2000:]
        up = subprocess.run([sys.executable, "-c", NODES_UP, address], env=nodes_env, capture_output=True, text=True,
                            timeout=240)
        logs = "".join((tmp_path / f"{n}.log").read_text()[-2000:] for n in ("head", "node"))
        assert up.returncode == 0 and up.stdout.split("\n")[-2] == "[1.0, 1.0]", up.stderr[-2000:] + logs

        folder = tmp_path / "images"
        folder.mkdir()
        for name in ("balloons.png", "birds.png"):
            shutil.copy(IMAGES / name, folder / name)
        refused = _batch(folder, tmp_path / "refused", address, {**base, "HOME": str(other)})
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr[-3000:]
        assert lines[-1].startswith(f"error: --address {address}: cannot join") and "RAY_AUTH_TOKEN" in lines[-1]
        assert not (tmp_path / "refused" / "summary.csv").exists()

        done = _batch(folder, tmp_path / "out", address, {**base, "HOME": str(other), "RAY_AUTH_TOKEN": token})
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    finally:
        for node in reversed(nodes):
            _stop(node)
        shutil.rmtree(temp_dir, ignore_errors=True)
    out = tmp_path / "out"
    csv = (out / "summary.csv").read_text().splitlines()
    assert [line.split(",")[:2] for line in csv[1:]] == [["balloons.png", "done"], ["birds.png", "done"]]
    for name in ("balloons", "birds"):
        model_folder = out / "TrainedModels" / name / "scale_factor=0.750000,alpha=10"  # as every command's
        assert (model_folder / "model.pt").is_file()
        assert json.loads((model_folder / "batch_result.json").read_text())["status"] == "done"
