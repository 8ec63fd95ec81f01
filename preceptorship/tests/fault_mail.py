"""An e-mail backend for fault tests: each message sent becomes a file, written whole or not at all.

FAULT_MAIL_DIR names the directory. When the file ``hold-at`` beside it holds a number N, the
sender stops before sending message N + 1 (as a mail server that stops answering mid-batch would)
and touches ``holding``: the test then kills the worker at a known point.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def sent_dir() -> Path:
    return Path(os.environ["FAULT_MAIL_DIR"])


def sent_messages(directory: Path) -> list[dict[str, str]]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


class RecordingBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        directory = sent_dir()
        for message in email_messages:
            self._hold_if_asked(directory)
            record = {"to": ",".join(message.to), "subject": message.subject}
            name = uuid.uuid4().hex
            temporary = directory / f".{name}.tmp"
            with open(temporary, "w", encoding="utf-8") as stream:
                json.dump(record, stream)
                stream.flush()
                os.fsync(stream.fileno())
            temporary.rename(directory / f"{name}.json")
        return len(email_messages)

    @staticmethod
    def _hold_if_asked(directory: Path) -> None:
        hold = directory.parent / "hold-at"
        if hold.exists() and len(list(directory.glob("*.json"))) >= int(hold.read_text()):
            (directory.parent / "holding").touch()
            while True:  # until the test kills this worker
                time.sleep(0.2)
