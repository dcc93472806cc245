#!/usr/bin/env bash
# The whole test suite, from a fresh Debian/Ubuntu machine, as root:
#   installs what is missing (pebble, nginx, dnsutils, jq, openssl, certbot; moto via pip if absent),
#   builds in Release, publishes the Native AOT binary once (eng/publish.sh: zero trim/AOT warnings, or the run fails)
#   for linux-x64 and, cross-compiled (Debian's clang/lld + arm64 cross sysroot, installed when missing), linux-arm64,
#   which Arm64BinaryTests runs under qemu-aarch64-static ($TEST_CERTDAEMON_ARM64_BINARY),
#   runs every test against the real servers - every test that starts certdaemon as a process (the sandbox, the
#   daemon, the CLI) drives that native binary ($TEST_CERTDAEMON_BINARY); in-process tests use the JIT build - and
#   ends with "N passed, N failed".
# Exit status: 0 when every test passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*" >&2; }

install_prerequisites() {
  local missing=()
  command -v pebble >/dev/null 2>&1 || missing+=(pebble)
  command -v pebble-challtestsrv >/dev/null 2>&1 || missing+=(pebble)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v dig >/dev/null 2>&1 || missing+=(dnsutils)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v clang >/dev/null 2>&1 || missing+=(clang)
  command -v rpmbuild >/dev/null 2>&1 || missing+=(rpm)
  # the arm64 binary is smoke-tested under user-mode emulation (Arm64BinaryTests); its cross toolchain comes with
  # eng/publish.sh --install-toolchain below
  command -v qemu-aarch64-static >/dev/null 2>&1 || missing+=(qemu-user-static)
  command -v certbot >/dev/null 2>&1 || missing+=(certbot)
  command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  # the journald recipe test writes a real journal file from export format and reads it with journalctl
  [ -x /lib/systemd/systemd-journal-remote ] || [ -x /usr/lib/systemd/systemd-journal-remote ] || missing+=(systemd-journal-remote)
  command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-pip)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null || { log "apt-get install failed"; return 1; }
  fi
  if ! command -v promtool >/dev/null 2>&1; then
    log "installing promtool (Debian's prometheus package: checks the metrics and the alert rules)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
      || { log "could not install prometheus (promtool)"; return 1; }
  fi
  if ! command -v moto_server >/dev/null 2>&1; then
    log "installing moto (moto_server)"
    python3 -m pip install --quiet "moto[server]" || pip install --quiet --break-system-packages "moto[server]" \
      || { log "could not install moto"; return 1; }
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    log "installing the .NET 10 SDK"
    apt-get install -y -qq dotnet-sdk-10.0 >/dev/null 2>&1 \
      || { log ".NET 10 SDK missing: see README 'Prerequisites'"; return 1; }
  fi
}

install_prerequisites || { echo "0 passed, 1 failed"; exit 1; }

results=artifacts/test-results
rm -rf "$results"; mkdir -p "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 AWS_EC2_METADATA_DISABLED=true
# No MSBuild worker left running after the build: it would keep every file descriptor this script inherited (a caller's
# lock, say) open for its idle quarter of an hour.
export MSBUILDDISABLENODEREUSE=1

log "building"
if ! dotnet build CertDaemon.sln -c Release -nologo -v quiet >"$results/build.log" 2>&1; then
  tail -n 40 "$results/build.log"; echo "0 passed, 1 failed"; exit 1
fi

log "publishing the native binary (Native AOT, linux-x64)"
if ! TEST_CERTDAEMON_BINARY=$(bash eng/publish.sh --output "$PWD/artifacts/native/test" 2>"$results/publish.log"); then
  cat "$results/publish.log"; echo "0 passed, 1 failed"; exit 1
fi
export TEST_CERTDAEMON_BINARY

log "publishing the native binary (Native AOT, linux-arm64, cross-compiled)"
if ! TEST_CERTDAEMON_ARM64_BINARY=$(bash eng/publish.sh --rid linux-arm64 --install-toolchain --output "$PWD/artifacts/native/test-arm64" \
    2>"$results/publish-arm64.log"); then
  cat "$results/publish-arm64.log"; echo "0 passed, 1 failed"; exit 1
fi
export TEST_CERTDAEMON_ARM64_BINARY

log "testing"
dotnet test CertDaemon.sln -c Release --no-build -nologo \
  --logger "trx;LogFilePrefix=results" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@"
status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
