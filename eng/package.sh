#!/usr/bin/env bash
# Builds the release packages: certdaemon_VERSION_ARCH.deb (dpkg-deb) and certdaemon-VERSION-1.ARCH.rpm (rpmbuild),
# for linux-x64 (amd64/x86_64) and linux-arm64 (arm64/aarch64), from the Native AOT binary, then lints them.
#
#   eng/package.sh [--rid linux-x64] [--rid linux-arm64] [--binary RID=FILE] [--output DIR] [--version V] [--no-lint]
#
# --rid      a target (repeatable); default: linux-x64 and linux-arm64.
# --binary   use FILE as RID's certdaemon instead of artifacts/native/RID/certdaemon (built with eng/publish.sh when
#            missing; arm64 is cross-compiled with Debian's clang/lld and arm64 cross sysroot).
# --output   where the packages go; default artifacts/packages.
# --version  the package version; default: what `certdaemon --version` prints, without the +commit part.
# --no-lint  skip lintian / rpmlint (they run by default when installed).
#
# Each package holds: /usr/bin/certdaemon; the hardened unit (ExecStart=/usr/bin/certdaemon run); the example
# configuration as /etc/certdaemon/certdaemon.json (a conffile / %config(noreplace): upgrades keep the operator's
# edits; it does not pass `certdaemon config check` until edited); README, docs/ and the example under
# /usr/share/doc/certdaemon; certdaemon(8) generated from the program's --help (eng/manpage.sh); bash completion.
# The maintainer scripts create /etc/certdaemon (0750), /var/lib/certdaemon (0700) and /etc/letsencrypt (0755, only
# when missing), reload systemd's unit files, and never enable or start the service: the operator edits the
# configuration first. Removal stops the service; purge (deb) removes /etc/certdaemon and /var/lib/certdaemon, never
# /etc/letsencrypt. Needs: dpkg-deb, rpmbuild (Debian package `rpm`), gzip; lintian and rpmlint for the lint step.
#
# Who ships the packages: set in the environment (a release job sets the real ones); both formats, the changelogs
# and the copyright file take them from here alone.
#   CERTDAEMON_PACKAGE_MAINTAINER  "Name <address>": .deb Maintainer, .rpm Packager, changelog entries, copyright
#                                  Upstream-Contact. Default: CertDaemon maintainers <certdaemon@example.org>
#   CERTDAEMON_PACKAGE_HOMEPAGE    http(s) URL: .deb Homepage, .rpm URL, copyright Source.
#                                  Default: https://github.com/certdaemon/certdaemon
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

rids=()
declare -A binaries=()
output=$repo/artifacts/packages
version=
lint=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || exit 2; rids+=("$2"); shift 2 ;;
    --binary) [ $# -ge 2 ] || exit 2; binaries[${2%%=*}]=${2#*=}; shift 2 ;;
    --output) [ $# -ge 2 ] || exit 2; output=$2; shift 2 ;;
    --version) [ $# -ge 2 ] || exit 2; version=$2; shift 2 ;;
    --no-lint) lint=0; shift ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; exit 2 ;;
  esac
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
maintainer=${CERTDAEMON_PACKAGE_MAINTAINER:-CertDaemon maintainers <certdaemon@example.org>}
homepage=${CERTDAEMON_PACKAGE_HOMEPAGE:-https://github.com/certdaemon/certdaemon}
# Refused here rather than by dpkg-deb, rpmbuild or lintian halfway through: "Name <local@domain>" on one line, a URL
# without spaces.
[[ $maintainer =~ ^[^\<\>[:cntrl:]]*[^\<\>[:space:][:cntrl:]]\ \<[^\<\>[:space:]@]+@[^\<\>[:space:]@]+\>$ ]] \
  || die "CERTDAEMON_PACKAGE_MAINTAINER must be 'Name <address>', got: $maintainer"
[[ $homepage =~ ^https?://[^[:space:][:cntrl:]]+$ ]] || die "CERTDAEMON_PACKAGE_HOMEPAGE must be an http(s) URL, got: $homepage"

for tool in dpkg-deb rpmbuild gzip; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (apt-get install dpkg-dev rpm gzip)"
done
mkdir -p "$output"
output=$(cd "$output" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/certdaemon-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH=$epoch

binary_for() {
  local rid=$1
  if [ -n "${binaries[$rid]:-}" ]; then echo "${binaries[$rid]}"; return; fi
  local built=$repo/artifacts/native/$rid/certdaemon
  if [ ! -x "$built" ]; then
    log "no $built yet: building it"
    bash "$repo/eng/publish.sh" --rid "$rid" --output "$(dirname "$built")" >/dev/null || die "eng/publish.sh --rid $rid failed"
  fi
  echo "$built"
}

# A binary that runs here, for --help (the man page) and --version: help text is the same on every architecture.
runnable=
for rid in "${rids[@]}" linux-x64 linux-arm64; do
  candidate=${binaries[$rid]:-$repo/artifacts/native/$rid/certdaemon}
  if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then runnable=$candidate; break; fi
done
[ -n "$runnable" ] || runnable=$(binary_for "${rids[0]}")
"$runnable" --version >/dev/null 2>&1 || die "no certdaemon that runs on this machine to generate the manual from"
version=${version:-$("$runnable" --version | sed 's/+.*//')}

# Shared payload, generated once.
common=$work/common
mkdir -p "$common"
bash "$repo/eng/manpage.sh" "$runnable" "$version" | gzip -9n >"$common/certdaemon.8.gz"
cp "$repo/deploy/completion/certdaemon.bash" "$common/certdaemon.bash"
cat >"$common/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: certdaemon
Upstream-Contact: $maintainer
Source: $homepage

Files: *
Copyright: 2026 CertDaemon authors
License: MIT
 Copyright (c) 2026 CertDaemon authors
 .
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
 documentation files (the "Software"), to deal in the Software without restriction, including without limitation
 the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 permit persons to whom the Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or substantial portions of
 the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED.
EOF
# The unit as packaged: the binary is /usr/bin/certdaemon, the docs /usr/share/doc/certdaemon.
sed -e 's#/usr/local/bin/certdaemon#/usr/bin/certdaemon#g' \
    -e 's#^Documentation=.*#Documentation=man:certdaemon(8) file:///usr/share/doc/certdaemon/README.md.gz#' \
    "$repo/deploy/systemd/certdaemon.service" >"$common/certdaemon.service"

# The files of one package under ROOT (the unit under UNITDIR).
stage() {
  local root=$1 binary=$2 unitdir=$3 doc=$root/usr/share/doc/certdaemon
  install -d -m 0755 "$root/usr/bin" "$root$unitdir" "$doc/docs" "$root/usr/share/man/man8" \
    "$root/usr/share/bash-completion/completions"
  install -d -m 0750 "$root/etc/certdaemon"
  install -m 0755 "$binary" "$root/usr/bin/certdaemon"
  install -m 0644 "$common/certdaemon.service" "$root$unitdir/certdaemon.service"
  install -m 0640 "$repo/deploy/certdaemon.example.json" "$root/etc/certdaemon/certdaemon.json"
  install -m 0644 "$repo/deploy/certdaemon.example.json" "$doc/certdaemon.example.json"
  gzip -9n <"$repo/README.md" >"$doc/README.md.gz"; chmod 0644 "$doc/README.md.gz"
  local page
  for page in "$repo"/docs/*.md; do
    gzip -9n <"$page" >"$doc/docs/$(basename "$page").gz"; chmod 0644 "$doc/docs/$(basename "$page").gz"
  done
  install -m 0644 "$common/copyright" "$doc/copyright"
  install -m 0644 "$common/certdaemon.8.gz" "$root/usr/share/man/man8/certdaemon.8.gz"
  install -m 0644 "$common/certdaemon.bash" "$root/usr/share/bash-completion/completions/certdaemon"
}

# lintian's overrides, shipped in the .deb where lintian (and a reviewer) finds them, each with its reason.
lintian_overrides() {
  install -d -m 0755 "$1/usr/share/lintian/overrides"
  cat >"$1/usr/share/lintian/overrides/certdaemon" <<'OVERRIDES'
# The configuration may hold an EAB HMAC key: readable by root only, in a directory closed to others.
certdaemon: non-standard-dir-perm 0750 != 0755 [etc/certdaemon/]
certdaemon: non-standard-file-perm 0640 != 0644 [etc/certdaemon/certdaemon.json]
# .NET Native AOT links the runtime's own zlib-ng (System.IO.Compression.Native) statically into the executable.
certdaemon: embedded-library zlib [usr/bin/certdaemon]
OVERRIDES
  chmod 0644 "$1/usr/share/lintian/overrides/certdaemon"
}

# Maintainer script bodies shared by both formats (POSIX sh). $DPKG_ROOT is empty on a normal install; dpkg sets it
# when installing into another root without chroot (dpkg --root DIR --force-script-chrootless), and then nothing
# outside that root is touched (no systemctl).
create_directories='R=${DPKG_ROOT:-}
install -d -m 0750 "$R/etc/certdaemon"
install -d -m 0700 "$R/var/lib/certdaemon"
# An existing /etc/letsencrypt (certbot'"'"'s) keeps its owner and modes.
[ -d "$R/etc/letsencrypt" ] || install -d -m 0755 "$R/etc/letsencrypt"
# Unit files changed: tell systemd (never enable or start: the configuration has to be edited first).
if [ -z "$R" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi'
stop_service='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl stop certdaemon.service >/dev/null 2>&1 || true; fi'
disable_service='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl disable certdaemon.service >/dev/null 2>&1 || true; fi
# Without systemd running, remove what `systemctl enable` made.
rm -f "${DPKG_ROOT:-}/etc/systemd/system/multi-user.target.wants/certdaemon.service"'
reload_units='if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi'

build_deb() {
  local rid=$1 binary=$2 arch
  case "$rid" in linux-x64) arch=amd64 ;; linux-arm64) arch=arm64 ;; esac
  local root=$work/deb-$arch
  stage "$root" "$binary" /lib/systemd/system
  lintian_overrides "$root"
  gzip -9n >"$root/usr/share/doc/certdaemon/changelog.gz" <<EOF
certdaemon ($version) unstable; urgency=medium

  * Release $version, built from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "a source tree").

 -- $maintainer  $(date -u -R -d "@$epoch")
EOF
  chmod 0644 "$root/usr/share/doc/certdaemon/changelog.gz"
  install -d -m 0755 "$root/DEBIAN"
  local size
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  cat >"$root/DEBIAN/control" <<EOF
Package: certdaemon
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: libc6 (>= 2.34), libssl3 | libssl3t64
Recommends: ca-certificates
Suggests: nginx
Section: admin
Priority: optional
Homepage: $homepage
Description: certificate lifecycle daemon: ACME via Route53 DNS-01, nginx and ACM
 CertDaemon issues certificates from Let's Encrypt or any RFC 8555 CA, answering
 DNS-01 challenges through the Route53 API; writes certbot's layout under
 /etc/letsencrypt for nginx; tests and reloads nginx and checks that nginx
 serves the new certificate; renews on its own schedule timed by ARI (RFC 9773);
 and optionally imports into AWS Certificate Manager. One native executable.
EOF
  echo /etc/certdaemon/certdaemon.json >"$root/DEBIAN/conffiles"
  cat >"$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
$create_directories
fi
EOF
  cat >"$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ]; then
$stop_service
fi
EOF
  cat >"$root/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = purge ]; then
$disable_service
$reload_units
fi
if [ "\$1" = purge ]; then
  # Configuration and state (ACME account keys) go; certificates stay: nginx configurations point at them.
  rm -rf "\${DPKG_ROOT:-}/etc/certdaemon" "\${DPKG_ROOT:-}/var/lib/certdaemon"
fi
EOF
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
  (cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\n' | LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
  local deb=$output/certdaemon_${version}_$arch.deb
  dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  log "built $deb ($(du -h "$deb" | cut -f1))"
  echo "$deb"
}

build_rpm() {
  local rid=$1 binary=$2 arch
  case "$rid" in linux-x64) arch=x86_64 ;; linux-arm64) arch=aarch64 ;; esac
  local top=$work/rpm-$arch root=$work/rpm-$arch/root
  mkdir -p "$top"/{BUILD,RPMS,SPECS,SRPMS,SOURCES}
  stage "$root" "$binary" /usr/lib/systemd/system
  cat >"$top/SPECS/certdaemon.spec" <<EOF
Name:           certdaemon
Version:        $version
Release:        1
Summary:        Certificate lifecycle daemon: ACME via Route53 DNS-01, nginx and ACM
License:        MIT
Group:          System Environment/Daemons
Packager:       $maintainer
URL:            $homepage
Requires:       openssl-libs
Recommends:     ca-certificates
# A prebuilt native binary: no debuginfo split, no stripping (it is stripped; the host's strip may not know arm64).
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none

%description
CertDaemon issues certificates from Let's Encrypt or any RFC 8555 CA,
answering DNS-01 challenges through the Route53 API; writes certbot's
layout under /etc/letsencrypt for nginx; tests and reloads nginx and
checks that nginx serves the new certificate; renews on its own schedule
timed by ARI (RFC 9773); and optionally imports into AWS Certificate
Manager. One native executable.

%install
cp -a $root/. %{buildroot}/

%post
$create_directories

%preun
if [ "\$1" -eq 0 ]; then
$stop_service
$disable_service
fi

%postun
$reload_units

%files
%attr(0755,root,root) /usr/bin/certdaemon
%attr(0644,root,root) /usr/lib/systemd/system/certdaemon.service
%dir %attr(0750,root,root) /etc/certdaemon
%config(noreplace) %attr(0640,root,root) /etc/certdaemon/certdaemon.json
%dir %attr(0700,root,root) /var/lib/certdaemon
%doc /usr/share/doc/certdaemon
%attr(0644,root,root) /usr/share/man/man8/certdaemon.8.gz
%attr(0644,root,root) /usr/share/bash-completion/completions/certdaemon

%changelog
* $(LC_ALL=C date -u -d "@$epoch" '+%a %b %d %Y') $maintainer - $version-1
- Release $version, built from $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "a source tree").
EOF
  install -d -m 0700 "$root/var/lib/certdaemon"
  rpmbuild --quiet -bb --target "$arch-linux" --define "_topdir $top" --define "_rpmdir $top/RPMS" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    "$top/SPECS/certdaemon.spec" >"$top/rpmbuild.log" 2>&1 || { cat "$top/rpmbuild.log" >&2; die "rpmbuild failed"; }
  local rpm=$output/certdaemon-$version-1.$arch.rpm
  mv "$top/RPMS/certdaemon-$version-1.$arch.rpm" "$rpm"
  log "built $rpm ($(du -h "$rpm" | cut -f1))"
  echo "$rpm"
}

packages=()
for rid in "${rids[@]}"; do
  case "$rid" in linux-x64|linux-arm64) ;; *) die "unsupported --rid $rid" ;; esac
  binary=$(binary_for "$rid")
  packages+=("$(build_deb "$rid" "$binary")" "$(build_rpm "$rid" "$binary")")
done

if [ "$lint" = 1 ]; then
  for package in "${packages[@]}"; do
    case "$package" in
      *.deb)
        if command -v lintian >/dev/null 2>&1; then
          log "lintian $(basename "$package")"
          # Tags accepted on purpose are overridden inside the package (usr/share/lintian/overrides), each with its reason.
          lintian --fail-on error,warning --tag-display-limit 0 "$package" >&2 \
            || die "lintian found problems in $package"
        fi ;;
      *.rpm)
        rpm -qlp "$package" >&2
        if command -v rpmlint >/dev/null 2>&1; then
          log "rpmlint $(basename "$package")"
          # Findings accepted on purpose are filtered in eng/rpmlintrc, each with its reason; eng/rpmlint.toml sets
          # what Debian's rpmlint defaults differ in from the target distributions (gzip man pages, SPDX licenses).
          rpmlint -c "$repo/eng/rpmlint.toml" -r "$repo/eng/rpmlintrc" "$package" >&2 || die "rpmlint found errors in $package"
        fi ;;
    esac
  done
fi
printf '%s\n' "${packages[@]}"
