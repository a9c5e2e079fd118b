"""The checklist of the Python end-to-end suites: every check prints PASS or FAIL and a failed
one is remembered, so a suite runs all its checks and then exits non-zero if any failed."""

FAILURES = []


def check(name, ok, detail=""):
    print(("PASS  " if ok else "FAIL  ") + name + ("" if ok or not detail else "\n      " + str(detail)), flush=True)
    if not ok:
        FAILURES.append(name)
    return ok
