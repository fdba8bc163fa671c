#!/usr/bin/env bash
# System pieces the test suite needs beyond `npm ci`: Debian's Chromium for the console's browser
# tests (playwright-core drives it; no browser is downloaded), bzip2/tar for voice-pack tests, and a
# running PostgreSQL for the PostgreSQL suites. Idempotent; needs root (or sudo) for apt.
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v bzip2 >/dev/null 2>&1 || need+=(bzip2)
# A CJK font, so the console's screenshots show Chinese rather than boxes.
[ -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
