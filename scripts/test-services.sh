#!/usr/bin/env bash
# Makes sure the services (and tools) the test suites use are installed; `npm test` and .ci/run run it first.
# The suites start their own private instances on free loopback ports (never the system services).
# Missing ones are installed with apt on Debian/Ubuntu (as root or with sudo); elsewhere this stops at
# once with one line naming the packages to install.
set -euo pipefail

# One line per service: "name|apt package|how to find it (a shell test)|system service to stop".
# A service is added to the suites' needs by adding its line here.
SERVICES=(
  "redis-server|redis-server|command -v redis-server|redis-server"
  "curl|curl|command -v curl|" # test/docs-shell.test.ts runs the docs' curl examples
  "chromium|chromium|test -x /usr/bin/chromium|" # test/dashboard-browser.test.ts (playwright-core drives it)
  "postgresql|postgresql|compgen -G '/usr/lib/postgresql/*/bin/postgres'|postgresql" # store suites (initdb)
)

missing_names=()
missing_packages=()
missing_services=()
for entry in "${SERVICES[@]}"; do
  IFS='|' read -r name package probe service <<<"$entry"
  if ! eval "$probe" >/dev/null 2>&1; then
    missing_names+=("$name")
    missing_packages+=("$package")
    missing_services+=("$service")
  fi
done
[ ${#missing_packages[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "test-services: the test suites need ${missing_names[*]}; install the package(s) ${missing_packages[*]} (Debian/Ubuntu names) and run npm test again" >&2
  exit 1
fi

echo "test-services: installing ${missing_packages[*]} with apt-get" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing_packages[@]}"
# The packages start system services; the suites never use them.
for service in "${missing_services[@]}"; do
  if [ -n "$service" ]; then ($sudo service "$service" stop || true) >/dev/null 2>&1; fi
done
