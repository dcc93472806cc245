#!/usr/bin/env bash
# Builds the shipped form of CertDaemon: one Native AOT executable (no .NET runtime needed on the server).
#
#   eng/publish.sh [--rid linux-x64|linux-arm64] [--output DIR] [--install-toolchain]
#
# --rid            the target; default: this machine's (uname -m: x86_64 -> linux-x64, aarch64/arm64 -> linux-arm64).
# --output         where certdaemon (and certdaemon.dbg, its symbols) go; default artifacts/native/RID.
# --install-toolchain  apt-get install what the native link needs when missing (root): clang, and for a linux-arm64
#                  target on another machine Debian's arm64 cross sysroot (libc6-dev-arm64-cross, the libgcc/libstdc++
#                  cross packages) and lld. Nothing else on the machine is changed (no foreign dpkg architecture).
#
# The publish treats every trim/AOT warning as an error (TreatWarningsAsErrors, IsAotCompatible): a build that would
# behave differently trimmed does not produce a binary. Prints the binary's path on stdout. Exit 0 done, 1 failed, 2 usage.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

host_rid() {
  case "$(uname -m)" in
    x86_64|amd64) echo linux-x64 ;;
    aarch64|arm64) echo linux-arm64 ;;
    *) die "no CertDaemon build for $(uname -m) (linux-x64 and linux-arm64 are supported)" ;;
  esac
}

rid=
output=
install_toolchain=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || exit 2; rid=$2; shift 2 ;;
    --rid=*) rid=${1#*=}; shift ;;
    --output) [ $# -ge 2 ] || exit 2; output=$2; shift 2 ;;
    --output=*) output=${1#*=}; shift ;;
    --install-toolchain) install_toolchain=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
done
host=$(host_rid)
rid=${rid:-$host}
case "$rid" in linux-x64|linux-arm64) ;; *) printf 'unsupported --rid %s (linux-x64 or linux-arm64)\n' "$rid" >&2; exit 2 ;; esac
output=${output:-$repo/artifacts/native/$rid}

# What the native link needs, as Debian packages: a C toolchain driver (clang), and when cross-compiling the target's
# C library, crt objects and libstdc++ (Debian's *-arm64-cross packages put them under /usr/aarch64-linux-gnu, where
# clang --target=aarch64-linux-gnu finds them) plus a linker that handles arm64 (lld).
packages=()
command -v clang >/dev/null 2>&1 || packages+=(clang)
extra=()
if [ "$rid" != "$host" ]; then
  [ "$rid" = linux-arm64 ] || die "cross-compiling to $rid from $host is not set up (only linux-x64 -> linux-arm64)"
  [ -e /usr/aarch64-linux-gnu/lib/libc.so ] || packages+=(libc6-dev-arm64-cross)
  compgen -G '/usr/lib/gcc-cross/aarch64-linux-gnu/*/libgcc.a' >/dev/null || packages+=(libgcc-12-dev-arm64-cross)
  compgen -G '/usr/lib/gcc-cross/aarch64-linux-gnu/*/libstdc++.so' >/dev/null || packages+=(libstdc++-12-dev-arm64-cross)
  command -v ld.lld >/dev/null 2>&1 || packages+=(lld)
  command -v llvm-objcopy >/dev/null 2>&1 || packages+=(llvm)
  extra+=(-p:LinkerFlavor=lld -p:ObjCopyName=llvm-objcopy)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$install_toolchain" = 1 ]; then
    log "installing the native toolchain: ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${packages[@]}" >/dev/null; } \
      || die "apt-get install ${packages[*]} failed"
  else
    die "missing for a $rid native build: ${packages[*]} (apt-get install ${packages[*]}, or pass --install-toolchain)"
  fi
fi

command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is needed to build CertDaemon"
mkdir -p "$output"
logfile=$output/publish.log
log "publishing certdaemon (Native AOT, $rid) to $output"
if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$repo/src/CertDaemon/CertDaemon.csproj" \
    -c Release -r "$rid" -nologo -o "$output" "${extra[@]}" >"$logfile" 2>&1; then
  grep -E 'warning|error' "$logfile" | sed 's/ \[[^]]*\]$//' | sort -u >&2 || tail -n 40 "$logfile" >&2
  die "publish failed (whole log: $logfile)"
fi
# Zero warnings is the bar; TreatWarningsAsErrors already fails the publish, this catches one that slipped a filter.
if grep -E ': warning [A-Z]+[0-9]+' "$logfile" >&2; then
  die "the publish produced warnings (above)"
fi
rm -f "$output/certdaemon.xml"
[ -x "$output/certdaemon" ] || die "no $output/certdaemon after the publish"
log "$(du -h "$output/certdaemon" | cut -f1) $output/certdaemon"
echo "$output/certdaemon"
