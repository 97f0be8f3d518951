"""--cluster, --checkpoint and --resume refuse bad combinations in one line with exit 2, Ray or not."""
from __future__ import annotations

import pytest

from .test_cli import cli


@pytest.mark.parametrize("argv,needle", [
    (["check", "--checkpoint", "x"], "apply to --cluster runs only"),
    (["check", "--resume", "x"], "apply to --cluster runs only"),
    (["check", "--cluster", "local:0"], "above zero"),
    (["check", "--cluster", "local:two"], "above zero"),
    (["check", "--cluster", "local:2", "--engine", "symbolic", "--depth", "3"], "explicit engine"),
    (["check", "--cluster", "local:2", "--checkpoint", "a", "--resume", "b"], "not both"),
    (["check", "--cluster", "local:2", "--fingerprints", "--engine", "python"], "needs native shards"),
])
def test_bad_cluster_options_are_one_line_and_exit_2(capsys, argv, needle):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err
