#!/usr/bin/env bash
# Installs (or removes) CertDaemon from this source tree or from a prebuilt binary. Run as root; safe to run again.
#
#   deploy/install.sh [--prefix DIR] [--destdir DIR] [--binary FILE | --from DIR] [--rid RID]
#   deploy/install.sh --uninstall [--purge] [--prefix DIR] [--destdir DIR]
#
# Install:
#   1. The program: --binary FILE (a prebuilt native certdaemon, e.g. from a release package or eng/publish.sh),
#      --from DIR (DIR/certdaemon), or else built here with eng/publish.sh (Native AOT; needs the .NET 10 SDK and
#      clang, which it installs when missing) for the runtime identifier of this machine (uname -m: x86_64 ->
#      linux-x64, aarch64 -> linux-arm64; --rid overrides). A binary built for another architecture is refused.
#   2. PREFIX/bin/certdaemon (one self-contained executable, replaced atomically; a PREFIX/lib/certdaemon left by an
#      older framework-dependent install is removed), PREFIX/share/doc/certdaemon/README.md.
#   3. /etc/certdaemon (0750) with certdaemon.json from deploy/certdaemon.example.json only if there is none
#      (an existing configuration is never touched), /var/lib/certdaemon (0700), /etc/letsencrypt (0755, only created
#      when missing: an existing certbot tree is left as it is).
#   4. /etc/systemd/system/certdaemon.service and certdaemon-sync.service (fleet first boot; ExecStart follows PREFIX), `systemd-analyze verify` when available,
#      `systemctl daemon-reload` when installing into the real root of a system booted with systemd.
# Uninstall: stops and disables the service (real root with systemd), removes the binary, docs and unit.
#   Configuration, state and certificates stay; --purge also removes /etc/certdaemon and /var/lib/certdaemon.
#   Certificates (/etc/letsencrypt) are never removed: nginx configurations point at them.
#
# DESTDIR (environment or --destdir) installs under another root without touching the system: no systemctl, no
# ownership changes outside it. Exit status: 0 done, 1 failed, 2 usage.
set -euo pipefail

prefix=/usr/local
destdir=${DESTDIR:-}
from=
binary=
rid=
action=install
purge=0

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
log() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || { usage >&2; exit 2; }; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --destdir) [ $# -ge 2 ] || { usage >&2; exit 2; }; destdir=$2; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --from) [ $# -ge 2 ] || { usage >&2; exit 2; }; from=$2; shift 2 ;;
    --from=*) from=${1#*=}; shift ;;
    --binary) [ $# -ge 2 ] || { usage >&2; exit 2; }; binary=$2; shift 2 ;;
    --binary=*) binary=${1#*=}; shift ;;
    --rid) [ $# -ge 2 ] || { usage >&2; exit 2; }; rid=$2; shift 2 ;;
    --rid=*) rid=${1#*=}; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$prefix" in /*) ;; *) die "--prefix must be an absolute path, got '$prefix'" ;; esac
prefix=${prefix%/}
[ -n "$prefix" ] || die "--prefix / is not supported (use /usr)"
if [ -n "$destdir" ]; then
  mkdir -p "$destdir"
  destdir=$(cd "$destdir" && pwd)
fi
if [ -n "$binary" ] && [ -n "$from" ]; then
  printf '%s\n' "--binary and --from name the same thing: give one" >&2; exit 2
fi
case "$rid" in ""|linux-x64|linux-arm64) ;; *) printf 'unsupported --rid %s (linux-x64 or linux-arm64)\n' "$rid" >&2; exit 2 ;; esac
if [ "$purge" = 1 ] && [ "$action" != uninstall ]; then
  printf '%s\n' "--purge only goes with --uninstall" >&2; exit 2
fi
if [ -z "$destdir" ] && [ "$(id -u)" != 0 ]; then
  die "run as root (or set DESTDIR to install under another root)"
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
libdir=$prefix/lib/certdaemon
bindir=$prefix/bin
docdir=$prefix/share/doc/certdaemon
unit=/etc/systemd/system/certdaemon.service
sync_unit=/etc/systemd/system/certdaemon-sync.service
confdir=/etc/certdaemon
statedir=/var/lib/certdaemon
certdir=/etc/letsencrypt
D=$destdir

# systemd is PID 1 (sd_booted(3)) and we are installing into the real root.
manage_systemd() { [ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# This machine's runtime identifier, from uname -m.
machine_rid() {
  case "$(uname -m)" in
    x86_64|amd64) echo linux-x64 ;;
    aarch64|arm64) echo linux-arm64 ;;
    *) die "no CertDaemon build for $(uname -m) (linux-x64 and linux-arm64 are supported)" ;;
  esac
}

# The ELF machine of FILE as a runtime identifier (e_machine at offset 18: 62 x86-64, 183 AArch64).
binary_rid() {
  local magic machine
  magic=$(od -An -c -N 4 "$1" | tr -d ' ')
  [ "$magic" = '177ELF' ] || { echo "not-an-executable"; return 0; }
  machine=$(od -An -t u2 -j 18 -N 2 "$1" | tr -d ' ')
  case "$machine" in 62) echo linux-x64 ;; 183) echo linux-arm64 ;; *) echo "elf-machine-$machine" ;; esac
}

publish() {
  local out=$1 target=$2
  command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is needed to build CertDaemon; or pass --binary FILE (a prebuilt certdaemon)"
  log "building certdaemon from source (Native AOT, $target): takes a few minutes"
  local toolchain=()
  [ "$(id -u)" = 0 ] && toolchain=(--install-toolchain)
  "$repo/eng/publish.sh" --rid "$target" --output "$out" "${toolchain[@]}" >/dev/null || die "eng/publish.sh failed"
}

install_files() {
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/certdaemon-install.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT

  local target program
  target=${rid:-$(machine_rid)}
  if [ -n "$binary" ]; then
    program=$binary
  elif [ -n "$from" ]; then
    program=$from/certdaemon
  else
    publish "$work/publish" "$target"
    program=$work/publish/certdaemon
  fi
  [ -f "$program" ] || die "$program does not exist"
  [ -f "$(dirname "$program")/certdaemon.dll" ] \
    && die "$program is a framework-dependent build (certdaemon.dll beside it); install the native binary (eng/publish.sh)"
  local built_for
  built_for=$(binary_rid "$program")
  [ "$built_for" = "$target" ] || die "$program is built for $built_for, this install is for $target (uname -m: $(uname -m))"

  # Program: copy beside the old one, then rename over it, so a running daemon keeps its (old) file and nobody ever
  # executes a half-copied binary.
  log "installing $D$bindir/certdaemon ($target)"
  install -d -m 0755 "$D$bindir" "$D$docdir"
  install -m 0755 "$program" "$D$bindir/.certdaemon.new"
  mv -f "$D$bindir/.certdaemon.new" "$D$bindir/certdaemon"
  if [ -d "$D$libdir" ]; then
    log "removing $libdir (left by a framework-dependent install)"
    rm -rf "$D$libdir"
  fi
  install -m 0644 "$repo/README.md" "$D$docdir/README.md"

  # Configuration: created once, never overwritten (the operator's edits and secrets live there).
  if [ ! -d "$D$confdir" ]; then
    install -d -m 0750 "$D$confdir"
  fi
  if [ -e "$D$confdir/certdaemon.json" ]; then
    log "keeping the existing $confdir/certdaemon.json"
  else
    install -m 0640 "$repo/deploy/certdaemon.example.json" "$D$confdir/certdaemon.json"
    log "created $confdir/certdaemon.json from the example: edit it"
  fi

  # State: private to the daemon (accounts keys live here).
  install -d -m 0700 "$D$statedir"
  chmod 0700 "$D$statedir"
  # Certificates: certbot's layout; an existing tree (certbot's) keeps its owner and modes.
  if [ ! -d "$D$certdir" ]; then
    install -d -m 0755 "$D$certdir"
  fi

  # The unit: ExecStart and Documentation follow --prefix.
  log "installing $unit"
  install -d -m 0755 "$D$(dirname "$unit")"
  sed -e "s#/usr/local/bin/certdaemon#$bindir/certdaemon#g" \
      -e "s#/usr/local/share/doc/certdaemon#$docdir#g" \
      "$repo/deploy/systemd/certdaemon.service" >"$D$unit.tmp"
  chmod 0644 "$D$unit.tmp"
  mv "$D$unit.tmp" "$D$unit"
  # Fleet mode's first-boot sync (enabled by the operator on fleet instances only, see docs/fleet.md).
  sed -e "s#/usr/local/bin/certdaemon#$bindir/certdaemon#g" \
      -e "s#/usr/local/share/doc/certdaemon#$docdir#g" \
      "$repo/deploy/systemd/certdaemon-sync.service" >"$D$sync_unit.tmp"
  chmod 0644 "$D$sync_unit.tmp"
  mv "$D$sync_unit.tmp" "$D$sync_unit"

  verify_unit "$work"
  smoke_test

  if manage_systemd; then
    systemctl daemon-reload
    if systemctl is-active --quiet certdaemon.service; then
      log "certdaemon is running the previous version: systemctl restart certdaemon"
    fi
  fi
}

# `systemd-analyze verify` checks the unit's syntax and that its commands exist. Under DESTDIR the unit is checked
# as a copy whose ExecStart points into DESTDIR (the real path does not exist yet), and findings are warnings.
verify_unit() {
  local work=$1
  command -v systemd-analyze >/dev/null 2>&1 || { log "systemd-analyze not found: unit not verified"; return 0; }
  local output target=$D$unit
  if [ -n "$destdir" ]; then
    mkdir -p "$work/verify"
    target=$work/verify/certdaemon.service
    sed "s#$bindir/certdaemon#$D$bindir/certdaemon#g" "$D$unit" >"$target"
  fi
  if output=$(systemd-analyze verify "$target" 2>&1); then
    log "systemd-analyze verify: ok"
  else
    warn "systemd-analyze verify reported:"; printf '%s\n' "$output" >&2
    [ -n "$destdir" ] || die "the installed unit does not verify"
  fi
}

# Runs the installed binary with the bare environment systemd gives a service.
smoke_test() {
  local output
  if output=$(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$D$bindir/certdaemon" --version 2>&1); then
    log "$bindir/certdaemon --version: $output"
  else
    printf '%s\n' "$output" >&2
    die "the installed $bindir/certdaemon does not run"
  fi
}

uninstall_files() {
  if manage_systemd; then
    if systemctl list-unit-files certdaemon.service >/dev/null 2>&1 && [ -e "$unit" ]; then
      log "stopping and disabling certdaemon.service"
      systemctl disable --now certdaemon.service || warn "could not stop/disable certdaemon.service"
    fi
  fi

  log "removing program files and unit"
  rm -f "$D$unit" "$D$sync_unit"
  if [ -L "$D$bindir/certdaemon" ] || [ -f "$D$bindir/certdaemon" ]; then rm -f "$D$bindir/certdaemon"; fi
  rm -f "$D$bindir/.certdaemon.new"
  rm -rf "$D$libdir" "$D$docdir"
  manage_systemd && systemctl daemon-reload

  if [ "$purge" = 1 ]; then
    log "purging $confdir and $statedir"
    rm -rf "$D$confdir" "$D$statedir"
  else
    log "kept $confdir (configuration) and $statedir (accounts, state); --purge removes them"
  fi
  log "kept $certdir (certificates): nginx configurations may still point at them"
}

next_steps() {
  cat <<EOF

CertDaemon is installed$([ -n "$destdir" ] && printf ' under %s' "$destdir"). Next:
  1. edit $confdir/certdaemon.json (ACME account, certificates, Route53 zones, nginx, ACM)
  2. $bindir/certdaemon config check
  3. $bindir/certdaemon iam-policy     # attach the printed policy to the instance role
  4. systemctl enable --now certdaemon
     journalctl -u certdaemon -o cat | jq .    # events are compact JSON under systemd
EOF
}

if [ "$action" = uninstall ]; then
  uninstall_files
else
  install_files
  next_steps
fi
