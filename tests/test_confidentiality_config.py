"""The confidentiality options added for secondary suppression are checked like any other."""

import pytest

from reportgen.core.config import load_config
from reportgen.core.findings import StageFailed


def test_sum_groups_must_name_known_measures(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("confidentiality:\n  sum_groups:\n    outcome_assessed: [outcome_improvd]\n")
    with pytest.raises(StageFailed) as exc:
        load_config(p)
    [f] = exc.value.findings
    assert f.code == "config.invalid-value" and f.severity == "error"
    assert ("confidentiality.sum_groups names measure 'outcome_improvd', which is not in the catalogue "
            "(did you mean 'outcome_improved'?)") in f.message


def test_sum_groups_default_protects_outcomes(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("confidentiality:\n  key: k\n")
    assert load_config(p).confidentiality.sum_groups == {
        "outcome_assessed": ["outcome_improved", "outcome_same", "outcome_declined"]}
