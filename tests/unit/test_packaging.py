"""An installed wheel carries the templates, static files, translations, content and migrations."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wheel_holds_everything_the_portal_reads_at_run_time(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("polku-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "portal/templates/base.html",
        "portal/templates/macros/forms.html",
        "portal/static/polku.css",
        "portal/static/polku.js",
        "portal/translations/fi/LC_MESSAGES/messages.mo",
        "portal/translations/sv/LC_MESSAGES/messages.mo",
        "portal/content/pages/accessibility.sv.md",
        "portal/content/questionnaires/kela_pre_interview.v1.toml",
        "portal/content/demo/people.toml",
        "portal/migrations/env.py",
        "portal/migrations/versions/0001_feedback.py",
    ]:
        assert expected in names, expected
