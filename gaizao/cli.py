"""The `gaizao` console command: a thin front for the management commands.

gaizao demo            migrate, seed the Panlong demo district, print logins, serve
gaizao serve           serve on 127.0.0.1:8000
gaizao import FILE     import a compound (or unit) spreadsheet; --dry-run --json to preview
gaizao export          export compounds to .xlsx
gaizao <any Django management command>
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gaizao.settings")
    # The console command is for the person at this machine: development
    # defaults unless the host configured production explicitly.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    aliases = {"serve": ["runserver", "127.0.0.1:8000"]}
    if argv and argv[0] in aliases:
        argv = aliases[argv[0]] + argv[1:]
    execute_from_command_line(["gaizao", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
