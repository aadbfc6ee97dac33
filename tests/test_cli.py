"""The paxos-nb front: commands dispatch, --log-level shows library logs on stderr."""

from __future__ import annotations

import os
import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAXOS_")}
    env["PAXOS_NB_ENV_FILE"] = "none"  # the embedded emulator, whatever .env exists
    return subprocess.run(
        [sys.executable, "-m", "paxos_nb", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_every_command_has_help():
    for command in ("emulator", "doctor", "scopes", "call"):
        done = run(command, "--help")
        assert done.returncode == 0, done.stderr
        assert command in done.stdout


def test_log_level_debug_logs_to_stderr_without_the_token():
    done = run("--log-level", "DEBUG", "call", "GET", "/profiles")
    assert done.returncode == 0, done.stderr
    assert "default" in done.stdout  # the seeded DEFAULT profile, as a table
    assert "DEBUG urllib3.connectionpool" in done.stderr
    assert "Bearer " not in done.stderr.replace("Bearer [redacted]", "")


def test_without_log_level_stderr_has_only_the_notice():
    done = run("call", "GET", "/profiles")
    assert done.returncode == 0, done.stderr
    assert "DEBUG" not in done.stderr


def test_a_closed_pipe_exits_quietly():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAXOS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "paxos_nb", "scopes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    proc.stdout.close()  # the reader is gone before the first line, like `| head -0`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(timeout=60)
    assert "Traceback" not in err
