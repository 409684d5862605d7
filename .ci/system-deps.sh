#!/usr/bin/env bash
# System packages some tests need, installed with apt only when missing:
#   xvfb + xclip  tests/test_clipboard.py (a real X clipboard under a virtual display)
#   chromium      the HTML report's browser test
# Never fails the CI: without apt (or root), or when an install fails, it says so in one
# line and exits 0; the tests that need a missing tool skip with a reason.
set -u

missing=()
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xclip >/dev/null 2>&1 || missing+=(xclip)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)

if [ ${#missing[@]} -eq 0 ]; then
    echo "system-deps: xvfb, xclip and chromium already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: apt-get not available; not installing ${missing[*]} (tests needing them will skip)"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "system-deps: not root and no passwordless sudo; not installing ${missing[*]} (tests needing them will skip)"
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "system-deps: installing ${missing[*]}"
if ! "${sudo[@]}" apt-get update -qq >/dev/null 2>&1; then
    echo "system-deps: apt-get update failed; trying the install with the package lists already present"
fi
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/msglint-system-deps.log 2>&1; then
    echo "system-deps: apt-get install ${missing[*]} failed (log: /tmp/msglint-system-deps.log); tests needing them will skip"
    exit 0
fi
echo "system-deps: installed ${missing[*]}"
exit 0
