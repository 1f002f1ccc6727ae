"""An aiosmtpd handler for smtp_aiosmtpd_test: appends each message it
receives to a file as one JSON line: the envelope (sender, recipients), the
raw content, and what Python's own email parser reads in it (decoded
subject and From, the parts' types and decoded text), so the test checks
the MIME structure with an independent reader.

    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_record.Recorder OUT.jsonl
"""
import email
import email.policy
import json


class Recorder:
    def __init__(self, path):
        self.path = path

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Recorder usage: OUT.jsonl")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        parsed = email.message_from_string(content, policy=email.policy.default)
        parts = [{"type": p.get_content_type(), "text": p.get_content()}
                 for p in parsed.walk() if not p.is_multipart()]
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "content": content,
                  "subject": str(parsed["subject"]), "from": str(parsed["from"]), "to": str(parsed["to"]),
                  "type": parsed.get_content_type(), "parts": parts,
                  "defects": [type(d).__name__ for p in parsed.walk() for d in p.defects]}
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return "250 OK"
