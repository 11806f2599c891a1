"""Settings refuse what issue 9 #10 found: a weak SECRET_KEY outside DEBUG,
the console command falling back to a built-in key; HTTPS deployments get
HSTS."""

import os
import subprocess
import sys
from pathlib import Path

STRONG = "k" * 20 + "3Gx9-pQ2_vLm8RtY7wZ1aB4cD6eF0hJ5nS"


def _run(code: str, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "GAIZAO_TESTING", "DATABASE_URL", "GAIZAO_HTTPS")
    }
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=base, timeout=60
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='gaizao.settings'; django.setup()"


def test_weak_secret_key_refused_unless_debug():
    r = _run(SETUP, SECRET_KEY="x")
    assert r.returncode != 0 and "SECRET_KEY is too weak" in r.stderr
    assert _run(SETUP, SECRET_KEY="x", DEBUG="1").returncode == 0
    assert _run(SETUP, SECRET_KEY=STRONG).returncode == 0


def test_console_command_has_no_builtin_key_outside_debug(tmp_path):
    script = Path(sys.executable).with_name("gaizao")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "gaizao.cli"]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "GAIZAO_TESTING", "DATABASE_URL")
    }
    env["GAIZAO_DATA_DIR"] = str(tmp_path)
    r = subprocess.run(
        [*cmd, "export", "-o", str(tmp_path / "x.xlsx")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    # Refused in one line that says what to do, not a traceback.
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("未设置 SECRET_KEY") and "DEBUG=1" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_https_deployment_sends_hsts_and_check_deploy_is_clean(tmp_path):
    code = (
        SETUP + "\nfrom django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS)"
    )
    r = _run(
        code,
        SECRET_KEY=STRONG,
        GAIZAO_HTTPS="1",
        ALLOWED_HOSTS="gaizao.example.gov.cn",
        GAIZAO_DATA_DIR=str(tmp_path),
        GAIZAO_CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip().splitlines()[-1]) >= 31536000


def test_check_deploy_warns_about_a_per_process_limiter(tmp_path):
    """Without a shared cache each worker counts its own guesses (issue 9 #8)."""
    code = (
        SETUP + "\nfrom django.core.management import call_command\n"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')\n"
    )
    r = _run(
        code,
        SECRET_KEY=STRONG,
        GAIZAO_HTTPS="1",
        ALLOWED_HOSTS="gaizao.example.gov.cn",
        GAIZAO_DATA_DIR=str(tmp_path),
    )
    assert r.returncode != 0 and "gaizao.W001" in r.stderr
