"""Settings for bench/throughput.py: gaizao's own, plus two baseline views."""

from gaizao.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
