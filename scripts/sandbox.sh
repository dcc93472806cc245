#!/usr/bin/env bash
# The README's first command: run CertDaemon's whole lifecycle on this machine, against local stand-ins.
#   bash scripts/sandbox.sh [--acm] [--keep] [--certdaemon PATH]
# On a fresh Debian/Ubuntu machine, as root: installs what is missing (pebble, nginx; moto via pip), builds, then runs
# the sandbox program, which starts pebble + challtestsrv (the CA and its DNS), the Route53 emulator (its own process),
# moto (ACM, with --acm) and a real nginx on free 127.0.0.1 ports, drives the real certdaemon step by step, and stops
# everything it started. Nothing under /etc/nginx, /etc/letsencrypt or the system trust store is touched.
# Exit status: 0 when every step passed; 1 a step failed (its output is printed); 2 usage; 130 interrupted.
# CERTDAEMON_SANDBOX_CONFIGURATION=Debug|Release (default Release, what scripts/test.sh builds).
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

dotnet_help() {
  cat >&2 <<'HELP'
The .NET 10 SDK is needed to build CertDaemon. Install it, then run this again:
  Ubuntu 24.04:   add-apt-repository ppa:dotnet/backports && apt-get install -y dotnet-sdk-10.0
  Ubuntu 25.10+:  apt-get install -y dotnet-sdk-10.0
  Debian 12/13:   wget https://packages.microsoft.com/config/debian/$(. /etc/os-release; echo "$VERSION_ID")/packages-microsoft-prod.deb \
                    && dpkg -i packages-microsoft-prod.deb && apt-get update && apt-get install -y dotnet-sdk-10.0
  anywhere:       https://learn.microsoft.com/dotnet/core/install/linux-scripted-manual (dotnet-install.sh --channel 10.0)
HELP
}

install_prerequisites() {
  local missing=()
  command -v pebble >/dev/null 2>&1 || missing+=(pebble)
  command -v pebble-challtestsrv >/dev/null 2>&1 || missing+=(pebble)
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "missing: ${missing[*]} - run as root (or: sudo apt-get install -y ${missing[*]})"; return 1
    fi
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null || { log "apt-get install failed"; return 1; }
  fi
  if ! command -v moto_server >/dev/null 2>&1; then
    log "installing moto (moto_server, the ACM stand-in)"
    python3 -m pip install --quiet "moto[server]" 2>/dev/null \
      || python3 -m pip install --quiet --break-system-packages "moto[server]" \
      || { log "could not install moto: pip install \"moto[server]\""; return 1; }
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    log "the .NET 10 SDK is missing; trying apt-get install dotnet-sdk-10.0"
    { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq dotnet-sdk-10.0 >/dev/null 2>&1; } || { dotnet_help; return 1; }
  fi
  if ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
    log "dotnet is there but has no 10.x SDK ($(dotnet --list-sdks 2>/dev/null | tr '\n' ' '))"; dotnet_help; return 1
  fi
}

install_prerequisites || exit 1

configuration="${CERTDAEMON_SANDBOX_CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log "building certdaemon and the sandbox ($configuration)"
mkdir -p artifacts
if ! dotnet build tests/CertDaemon.Sandbox/CertDaemon.Sandbox.csproj -c "$configuration" -nologo -v quiet >artifacts/sandbox-build.log 2>&1; then
  tail -n 40 artifacts/sandbox-build.log; log "build failed (whole log: artifacts/sandbox-build.log)"; exit 1
fi

exec "tests/CertDaemon.Sandbox/bin/$configuration/net10.0/certdaemon-sandbox" "$@"
