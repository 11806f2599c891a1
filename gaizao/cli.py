"""The `gaizao` console command: a thin front for the management commands.

gaizao demo            migrate, seed the Panlong demo district, print logins, serve
gaizao serve           serve on 127.0.0.1:8000
gaizao import FILE     import a compound (or unit) spreadsheet; --dry-run --json to preview
gaizao export          export compounds to .xlsx
gaizao <any Django management command>
"""

import os
import sys

DEVELOPMENT_COMMANDS = {"demo", "serve", "runserver"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    # `gaizao demo` and `gaizao serve` are the development server: DEBUG on
    # unless the host configured a key. Every other command (import, export,
    # migrate, …) runs with the settings of the host: without SECRET_KEY
    # (and without DEBUG=1) settings refuse to start rather than sign with a
    # built-in key (issue 9 #10).
    if "SECRET_KEY" not in os.environ and argv and argv[0] in DEVELOPMENT_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    aliases = {"serve": ["runserver", "127.0.0.1:8000"]}
    if argv and argv[0] in aliases:
        argv = aliases[argv[0]] + argv[1:]
    execute_from_command_line(["gaizao", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
