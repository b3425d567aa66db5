#!/usr/bin/env python3
"""Regenerates docs/security.md from the [Trait("Checklist", "...")] attributes in FuncMail.Tests.
Usage (repo root): python3 tools/checklist-map.py > docs/security.md"""
import collections, glob, re, os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "FuncMail.Tests")
proofs = collections.defaultdict(list)
for path in sorted(glob.glob(os.path.join(root, "**", "*.cs"), recursive=True)):
    if os.sep + "bin" + os.sep in path or os.sep + "obj" + os.sep in path:
        continue
    text = open(path, encoding="utf-8").read()
    cls = re.search(r"class (\w+)", text)
    cls = cls.group(1) if cls else "?"
    for block in re.finditer(r"((?:\s*\[[^\]]+\]\s*)+)\s*public (?:sealed )?(?:partial )?(?:async )?(?:Task|void|class) (\w+)", text):
        for item in re.findall(r'Trait\("Checklist", "(\w+)"\)', block.group(1)):
            name = block.group(2)
            proofs[item].append(f"`{cls}.{name}`" if name != cls else f"`{cls}` (all tests)")

titles = {
    "A1": "One-time sign-in transaction, bound to a pre-auth cookie", "A2": "PKCE with S256", "A3": "Nonce checked before any token is used",
    "A4": "Exact redirect URI", "A5": "Pinned authority, checked issuer", "A6": "Code replay and double submit", "A7": "Authorization errors",
    "A8": "returnUrl stays local", "A9": "The code leaves the URL", "A10": "Minimal scopes",
    "B1": "Cookie contents, checked before any I/O", "B2": "Constant-time compare", "B3": "Key rotation", "B4": "Cookie attributes",
    "B5": "Pre-auth cookie", "B6": "New session id at every sign-in", "B7": "Timeouts enforced server-side", "B8": "Sign-out",
    "C1": "Encrypted at rest", "C2": "One user per cache", "C3": "Concurrent refresh", "C4": "Size limits", "C5": "Expired rows removed",
    "D1": "CSP", "D2": "No referrer", "D3": "No caching of personal data", "D4": "Content headers", "D5": "Encode everything from Graph",
    "D6": "Graph nextLink must point at Graph",
    "E1": "Graph throttling and outages", "E2": "Token endpoint outage", "E3": "Re-sign-in, without loops", "E4": "Table Storage transient errors",
    "E5": "Nothing per instance", "F1": "No secrets in logs", "F2": "Correlation", "F3": "Security events logged",
    "G1": "Malformed input never gives a 5xx", "G2": "Cookies split on ';' only; a duplicated name fails closed",
    "H1": "HSTS on https responses", "H2": "One deadline per request", "H3": "ID token checks beyond MSAL",
    "H4": "Token cache faults fail closed", "H5": "Claims challenges (CAE)", "H6": "A failure while a result executes still gives the 500 page",
    "H7": "Message bodies sanitized and sandboxed",
}
notes = {
    "A5": "With `common`, any tenant is accepted but the issuer must be `{instance}/{tid}/v2.0` with a GUID tid; `organizations`, `consumers` and a tenant GUID restrict tid.",
    "A7": "State is compared before the transaction is deleted, so a stray callback cannot cancel a sign-in in progress.",
    "B8": "After deleting the row and the cookie, sign-out redirects to Entra's end-session endpoint, which returns to /api/Home (register it as a redirect URI); Chromium then shows the next person a sign-in page. Chromium sends `Origin: null` under no-referrer, so only a concrete foreign Origin or a cross-site Sec-Fetch-Site is refused.",
    "C3": "On a lost If-Match race (412) FuncMail keeps the winner's row instead of re-reading and retrying: both caches hold valid tokens. The HTTP test shows both requests succeed; If-Match itself is proven at the store level.",
    "D6": "No URL from the browser is ever followed: only Graph's `$skiptoken` travels as `next`, and FuncMail rebuilds the request under the configured base URL. Graph's own nextLink is read with a strict grammar; any other form ends the paging.",
    "E1": "Microsoft.Extensions.Http.Resilience: 3 attempts at most, exponential backoff with jitter, Retry-After honoured up to 4 s; a longer Retry-After goes straight to the page.",
    "E3": "A claims challenge goes to sign-in with its claims (H5); only a second one right after such a sign-in shows the page instead.",
    "E4": "Proven in-process with transport faults and through the real worker with storage refusing connections, answering 503 ServerBusy and never answering.",
    "G2": "The old requirement asked for comma tolerance, which let an ordinary cookie smuggle a `__Host-` value (login CSRF, session swap, forced sign-out). The attacks are replayed over HTTP and in Chromium through the real worker.",
    "H1": "Absent on plain-http loopback on purpose: browsers ignore it there (RFC 6797 §8.1). In Azure the worker learns https from X-Forwarded-Proto.",
    "H2": "`Web:RequestTimeout` (40 s) links the browser's abort, the host's cancellation and the budget into `RequestAborted`; the cleanup timer has its own 40 s budget and resumes on its next run.",
    "H6": "The guard executes each result itself and pages render to a buffer first; a result that fails after it started the response breaks the connection.",
    "H7": "HtmlSanitizer with a mail allow-list and a second pass over all CSS (Mail/MailHtml); the body in `<iframe sandbox>` from its own endpoint under its own CSP; FuncMail's notices on the page, outside the frame; inline images by sealed 10-minute URLs, raster types proven by their bytes (docs/architecture.md, Reading a message).",
    "F2": "Graph's `request-id` is logged (event 3000) next to the client-request-id.",
}
print("# Security checklist map\n")
print("Each of FuncMail's [security requirements](security-requirements.md) (who they defend against: the [threat model](threat-model.md)) with the tests that prove it. Tests carry `[Trait(\"Checklist\", \"<ID>\")]`,")
print("so `dotnet test FuncMail.sln --filter Checklist=B1` runs one item. Generated by `python3 tools/checklist-map.py > docs/security.md`;")
print("the notes are kept in that script.\n")
print("| ID | Requirement | Proven by | Notes |")
print("| --- | --- | --- | --- |")
for key, title in titles.items():
    tests = ", ".join(dict.fromkeys(proofs.get(key, []))) or "**not yet proven**"
    print(f"| {key} | {title} | {tests} | {notes.get(key, '')} |")
