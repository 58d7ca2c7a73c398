#!/usr/bin/env python3
"""Every requirement of the store protocols is called by the store contract suite.

Lists the `func` requirements of the protocols `LedgerStore` is made of (Sources/Payments) and looks
for a call of each in Tests/PaymentsTests/StoreContract (and the Tests/Support helpers those tests
use): the contract suite runs against every store implementation, so a requirement it never calls is
a behaviour only one store may have. Prints the coverage; exits 1 naming each requirement not called.
Run by `make test`.
"""
import glob
import re
import sys

PROTOCOLS = [
    "Sources/Payments/Ledger/PaymentStore.swift",
    "Sources/Payments/Imports/PaymentImportStore.swift",
    "Sources/Payments/Files/OutboundFileStore.swift",
    "Sources/Payments/Files/InboundFileStore.swift",
    "Sources/Payments/Webhooks/WebhookStore.swift",
    "Sources/Payments/Checks/CheckStore.swift",
    "Sources/Payments/APIKeyStore.swift",
    "Sources/Payments/Operators/OperatorStore.swift",
    "Sources/Payments/Approvals/ApprovalStore.swift",
    "Sources/Payments/Alerts/AlertStore.swift",
    "Sources/Payments/Sessions/OperatorSessionStore.swift",
]
CONTRACT = glob.glob("Tests/PaymentsTests/StoreContract/*.swift") + glob.glob("Tests/Support/*.swift")


def requirements(path):
    """(protocol, name, argument labels other than `_`) for each `func` in the file's protocol."""
    text = open(path).read()
    found = re.search(r"public protocol (\w+)[^{]*\{(.*?)\n\}", text, re.S)
    if not found:
        sys.exit(f"{path}: no protocol found")
    protocol, body = found.group(1), found.group(2)
    for match in re.finditer(r"^\s*func (\w+)\(([^)]*)\)", body, re.M):
        parameters = [part for part in re.split(r",(?![^\[]*\])", match.group(2)) if ":" in part]
        # A closure argument is passed as a trailing closure, without its label.
        labels = [part.split(":")[0].split()[0] for part in parameters if "->" not in part and "@escaping" not in part]
        yield protocol, match.group(1), [label for label in labels if label != "_"]


def main():
    calls = "\n".join(open(path).read() for path in CONTRACT)
    # Declarations are not calls.
    calls = re.sub(r"\bfunc \w+\(", "", calls)
    missing, total = [], 0
    for path in PROTOCOLS:
        for protocol, name, labels in requirements(path):
            total += 1
            # A call of `name` with its labels in order (several requirements share a name), across lines.
            pattern = rf"[.\s(]{name}\(" + "".join(rf"[\s\S]{{0,300}}?\b{label}:" for label in labels)
            if not re.search(pattern, calls):
                missing.append(f"{protocol}.{name}({''.join(label + ':' for label in labels)})")
    print(f"store contract: {total - len(missing)} of {total} protocol requirements called by the contract suite")
    for requirement in missing:
        print(f"  not called: {requirement}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
