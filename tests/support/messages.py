"""Helpers for message tests: delivery settings pointing at the Notify stand-in, and a mail server."""

from cbl.messages.config import load_delivery

from .notify_standin import API_KEY, TEMPLATES


def notify_settings(base_url: str, **env: str):  # DeliverySettings
    return load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_BASE_URL": base_url,
                          "CBL_NOTIFY_TEMPLATES": TEMPLATES, **env})


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self, port: int, *, refuse: set[str] = frozenset()) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.refuse = set(refuse)
        server = self

        class Handler:
            async def handle_RCPT(self, smtp_server, session, envelope, address, rcpt_options):
                if address in server.refuse:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, smtp_server, session, envelope):
                from email import message_from_bytes, policy

                server.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                        message_from_bytes(envelope.content, policy=policy.default)))
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.port = port

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
