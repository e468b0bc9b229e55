"""Running the `plait` command in-process from tests, as a user's shell would see it."""
import pytest

from plait.cli.main import main


def run(capsys, *args) -> tuple[int, str, str]:
    """`plait ARGS...`: the exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err
