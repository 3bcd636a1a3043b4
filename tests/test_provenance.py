"""Publishing the reference captures' README and converter with the site (hubcommunity.provenance)."""

from __future__ import annotations

import pandas as pd

from hubcommunity import provenance


def _reference(tmp_path):
    """A reference folder with one capture, its README and prepare.py, and a snapshot linking it."""
    ref = tmp_path / "reference-data"
    (ref / "cap-2024").mkdir(parents=True)
    (ref / "README.md").write_text("# notes\n")
    (ref / "prepare.py").write_text("print('converter')\n")
    snap = tmp_path / "snapshots" / "cap-2024"
    snap.mkdir(parents=True)
    (snap / "raw").symlink_to(ref / "cap-2024", target_is_directory=True)
    return ref, pd.DataFrame({"snapshot": ["cap-2024"], "path": [str(snap)]})


def test_reference_docs_are_found_through_the_raw_link_and_published(tmp_path):
    ref, snapshots = _reference(tmp_path)
    assert provenance.reference_folder(snapshots) == ref.resolve()
    out = tmp_path / "generated"
    published = provenance.publish_reference_docs(snapshots, out, "data")
    assert published == {"README.md": "data/data/reference-data-README.md",
                         "prepare.py": "data/data/reference-data-prepare.py"}
    assert (out / published["prepare.py"]).read_text() == "print('converter')\n"
    text = provenance.reference_docs_markdown(published)
    assert '<a href="../data/data/reference-data-README.md">README.md</a>' in text


def test_a_snapshot_without_reference_docs_publishes_nothing(tmp_path):
    snap = tmp_path / "collected"
    (snap / "raw").mkdir(parents=True)
    snapshots = pd.DataFrame({"snapshot": ["collected"], "path": [str(snap)]})
    assert provenance.reference_folder(snapshots) is None
    assert provenance.publish_reference_docs(snapshots, tmp_path / "out", "data") == {}
    assert not (tmp_path / "out").exists()
    assert "not published" in provenance.reference_docs_markdown({})
