"""Helpers for message tests: delivery settings pointing at the Notify stand-in, and a mail server."""

from cbl.messages.config import load_delivery

from .notify_standin import API_KEY, TEMPLATES


def notify_settings(base_url: str, **env: str):  # DeliverySettings
    return load_delivery({"CBL_NOTIFY_API_KEY": API_KEY, "CBL_NOTIFY_BASE_URL": base_url,
                          "CBL_NOTIFY_TEMPLATES": TEMPLATES, **env})


class MailServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self, port: int, *, refuse: set[str] = frozenset(), tls_context=None,  # noqa: ANN001
                 logins: dict[str, str] | None = None) -> None:
        """`tls_context`: offer STARTTLS and require it; `logins`: require AUTH with one of these."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list = []
        self.refuse = set(refuse)
        self.signed_in: list[str] = []
        server = self

        def authenticator(smtp_server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
            good = isinstance(auth_data, LoginPassword) and (logins or {}).get(auth_data.login.decode()) == \
                auth_data.password.decode()
            if good:
                server.signed_in.append(auth_data.login.decode())
            return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535 itself

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

        secured = {"tls_context": tls_context, "require_starttls": True} if tls_context else {}
        signing_in = {"authenticator": authenticator, "auth_required": True} if logins else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, **secured, **signing_in)
        self.port = port

    def __enter__(self) -> "MailServer":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
