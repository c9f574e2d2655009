#!/usr/bin/env bash
# Set up reportgen on a Debian machine: system packages (fonts, PDF tools and,
# for the tests, Chromium's headless shell and Node.js), a virtual environment in .venv, and the
# Python packages. Safe to run again: it installs only what is missing.
#
#   scripts/setup.sh          what building the report needs
#   scripts/setup.sh --test   … plus what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

packages=(fonts-noto-core poppler-utils qpdf libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)
python3 -c "import ensurepip, venv" 2>/dev/null || packages+=(python3-venv)
if [ "$want_tests" = 1 ]; then
  # Chromium's headless shell: the pages under test open there (tests/browser.py); LibreOffice opens the
  # published workbook
  packages+=(chromium-headless-shell libreoffice-calc-nogui)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  # another apt or dpkg process (an unattended upgrade, a colleague's install) may hold the
  # lock: wait for it, up to 10 minutes, instead of failing at once
  lock=(-o DPkg::Lock::Timeout=600)
  $sudo apt-get "${lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the virtual environment in .venv"
  python3 -m venv .venv
fi
extra="[publish]"  # the core alone is what a member installs: pip install . (docs/member-guide.md)
[ "$want_tests" = 1 ] && extra="[publish,test]"
echo "setup: installing Python packages"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
if [ "$want_tests" = 1 ]; then
  # axe-core for the accessibility tests, pinned by package-lock.json. The browser is
  # Debian's Chromium headless shell (installed above), driven by Playwright: no browser download.
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: installing npm packages for the browser tests"
    npm ci --silent --no-audit --no-fund
  fi
fi
echo "setup: done"
