#!/usr/bin/env bash
# Installs (or removes) CertDaemon from this source tree. Run as root; safe to run again (upgrades in place).
#
#   deploy/install.sh [--prefix DIR] [--destdir DIR] [--from PUBLISH_DIR] [--no-ready-to-run]
#   deploy/install.sh --uninstall [--purge] [--prefix DIR] [--destdir DIR]
#
# Install:
#   1. dotnet publish src/CertDaemon (Release, linux-x64, framework-dependent, ReadyToRun; plain publish if the
#      ReadyToRun compiler package cannot be restored), unless --from names an already published directory.
#   2. PREFIX/lib/certdaemon/ (replaced as a whole), PREFIX/bin/certdaemon -> ../lib/certdaemon/certdaemon (relative,
#      so it also resolves inside DESTDIR), PREFIX/share/doc/certdaemon/README.md.
#   3. /etc/certdaemon (0750) with certdaemon.json from deploy/certdaemon.example.json only if there is none
#      (an existing configuration is never touched), /var/lib/certdaemon (0700), /etc/letsencrypt (0755, only created
#      when missing: an existing certbot tree is left as it is).
#   4. /etc/systemd/system/certdaemon.service and certdaemon-sync.service (fleet first boot; ExecStart follows PREFIX), `systemd-analyze verify` when available,
#      `systemctl daemon-reload` when installing into the real root of a system booted with systemd.
# Uninstall: stops and disables the service (real root with systemd), removes the binary, launcher, docs and unit.
#   Configuration, state and certificates stay; --purge also removes /etc/certdaemon and /var/lib/certdaemon.
#   Certificates (/etc/letsencrypt) are never removed: nginx configurations point at them.
#
# DESTDIR (environment or --destdir) installs under another root without touching the system: no systemctl, no
# ownership changes outside it. Exit status: 0 done, 1 failed, 2 usage.
set -euo pipefail

prefix=/usr/local
destdir=${DESTDIR:-}
from=
ready_to_run=1
action=install
purge=0

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
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
    --no-ready-to-run) ready_to_run=0; shift ;;
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

publish() {
  local out=$1 work=$2
  command -v dotnet >/dev/null 2>&1 || die "dotnet (the .NET 10 SDK) is needed to build CertDaemon; or pass --from PUBLISH_DIR"
  # --artifacts-path keeps this build's obj/ and bin/ out of the source tree (a developer's Debug build stays valid).
  local common=(publish "$repo/src/CertDaemon/CertDaemon.csproj" -c Release -r linux-x64 --self-contained false
    -nologo -v quiet --artifacts-path "$work/artifacts" -o "$out")
  if [ "$ready_to_run" = 1 ]; then
    log "publishing (ReadyToRun, linux-x64)"
    if dotnet "${common[@]}" -p:PublishReadyToRun=true >"$work/publish.log" 2>&1; then
      return 0
    fi
    warn "ReadyToRun publish failed (the crossgen2 package may not be restorable here); last lines:"
    tail -n 5 "$work/publish.log" >&2 || true
    warn "falling back to a plain publish: CertDaemon works the same, it only starts slower (JIT)"
    rm -rf "$out" "$work/artifacts"
  fi
  log "publishing (linux-x64)"
  if ! dotnet "${common[@]}" >"$work/publish.log" 2>&1; then
    tail -n 30 "$work/publish.log" >&2
    die "dotnet publish failed"
  fi
}

install_files() {
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/certdaemon-install.XXXXXX")
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT

  local published
  if [ -n "$from" ]; then
    published=$(cd "$from" && pwd)
  else
    published=$work/publish
    publish "$published" "$work"
  fi
  [ -x "$published/certdaemon" ] && [ -f "$published/certdaemon.dll" ] \
    || die "$published does not hold a published CertDaemon (certdaemon + certdaemon.dll)"

  # Program files: build the new tree beside the old one, then swap, so a running daemon (which keeps its open
  # files) and a half-finished copy never mix.
  log "installing $D$libdir"
  install -d -m 0755 "$D$prefix/lib" "$D$bindir" "$D$docdir"
  rm -rf "$D$libdir.new" "$D$libdir.old"
  cp -R "$published" "$D$libdir.new"
  chmod -R u=rwX,go=rX "$D$libdir.new"
  chmod 0755 "$D$libdir.new/certdaemon"
  if [ -e "$D$libdir" ]; then mv "$D$libdir" "$D$libdir.old"; fi
  mv "$D$libdir.new" "$D$libdir"
  rm -rf "$D$libdir.old"
  ln -sfn ../lib/certdaemon/certdaemon "$D$bindir/certdaemon"
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

# Runs the installed launcher with the bare environment systemd gives a service, so a runtime that can only be
# found through the installing shell's DOTNET_ROOT or PATH shows up now instead of at the first start.
smoke_test() {
  if env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$D$bindir/certdaemon" --help >/dev/null 2>&1; then
    log "$bindir/certdaemon --help: ok"
  elif "$D$bindir/certdaemon" --help >/dev/null 2>&1; then
    warn "certdaemon runs only with this shell's environment (DOTNET_ROOT=${DOTNET_ROOT:-unset}): the .NET runtime is not"
    warn "where a service can find it; write its directory to /etc/dotnet/install_location or install the dotnet-runtime-10.0 package"
  else
    die "the installed $bindir/certdaemon does not run: is the .NET 10 runtime installed?"
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
  rm -rf "$D$libdir" "$D$libdir.new" "$D$libdir.old" "$D$docdir"
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
