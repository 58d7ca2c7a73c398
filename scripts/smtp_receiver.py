#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) on 127.0.0.1 for metl's tests of the email channel.

Offers STARTTLS with the given certificate (or TLS from the first byte with --implicit-tls, or no
TLS at all with --no-tls, to check metl refuses to go on), requires AUTH over TLS when --user is
given, and appends every message it accepts to --out as one JSON object per line: the envelope,
the message as received, whether it came over TLS and who logged in.
"""
import argparse
import asyncio
import json
import os
import ssl
import logging

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd 1.4 sets its own deprecated Session.login_data on every AUTH and logs a warning about it.
logging.getLogger("mail.log").setLevel(logging.ERROR)


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--no-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password-file")
    return parser.parse_args()


class Mailbox:
    def __init__(self, path):
        self.path = path
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
            "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
        }
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return f"250 2.0.0 Ok: queued as test-{self.count}"


def main():
    # Nothing of the process that started us: a listening socket inherited from a test (a receiver
    # it stops and starts again on its port) would stay bound here and never answer.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    args = arguments()
    password = None
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as secret:
            password = secret.read().strip()

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == args.user and data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=data.login if ok else None)

    context = None
    if not args.no_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    mailbox = Mailbox(args.out)

    def protocol():
        return SMTP(
            mailbox,
            hostname="metl-test-smtp",
            tls_context=None if args.implicit_tls else context,
            require_starttls=context is not None and not args.implicit_tls,
            authenticator=authenticator if args.user else None,
            auth_required=bool(args.user),
            # aiosmtpd knows only its own STARTTLS; with TLS from the first byte the transport is already encrypted.
            auth_require_tls=not args.no_tls and not args.implicit_tls,
        )

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            protocol, "127.0.0.1", args.port, ssl=context if args.implicit_tls else None)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
