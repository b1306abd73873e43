#!/usr/bin/env bash
# The whole package as an aarch64 user runs it, on an x86-64 Debian host through qemu-user:
#   1. debootstrap an arm64 Debian root (Debian's own packages; reused when it already exists)
#   2. apt inside it: python3, venv, pip, g++, cmake, ninja (what a Raspberry Pi OS user installs)
#   3. `pip install <checkout>` inside it: the C++ core compiled by the arm64 g++, numpy's
#      aarch64 wheel from PyPI
#   4. from outside the source tree: `movicore demo`, the engine-vs-official-fixture tests
#      (tests/python/test_engine_official.py) and a short `movicore bench`
# Each step's wall time goes to the log; the last lines are a summary. Needs root, network
# (Debian mirror + PyPI) and binfmt_misc (qemu-user-static registers aarch64 with the F flag, so
# the chroot needs no qemu binary of its own).
#
#   sudo tools/aarch64_debian_check.sh [ROOTFS]     (default /var/tmp/movicore-arm64-root)
#
# Knobs: SUITE (bookworm), MIRROR (http://deb.debian.org/debian), BENCH_FRAMES (20),
# DEMO_CLIPS (4), MOVICORE_SHARED (a shared/ folder whose fixtures/ the tests also use),
# HOST_CA_BUNDLE (CA bundle pip trusts inside the root; default the host's).
# Slow: about an hour under emulation on 2 x86 cores (docs/arm.md has the measured times), so it
# is a tool, not a CI stage.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOTFS=${1:-/var/tmp/movicore-arm64-root}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
BENCH_FRAMES=${BENCH_FRAMES:-20}
DEMO_CLIPS=${DEMO_CLIPS:-4}
PACKAGES=python3,python3-venv,python3-pip,python3-dev,g++,cmake,ninja-build,ca-certificates

[[ $(id -u) == 0 ]] || { echo "aarch64_debian_check: run as root (debootstrap, chroot)" >&2; exit 2; }
T0=$(date +%s)
SUMMARY=()
step() {  # step NAME CMD...: run, time, record
  local name=$1 t0 rc=0
  shift
  printf '\n==> %s (%s UTC)\n' "$name" "$(date -u +%H:%M:%S)"
  t0=$(date +%s)
  "$@" || rc=$?
  SUMMARY+=("$(printf '%-22s %-4s %6ss' "$name" "$([[ $rc == 0 ]] && echo ok || echo FAIL)" $(($(date +%s) - t0)))")
  if [[ $rc != 0 ]]; then
    summary
    exit "$rc"
  fi
}
summary() {
  printf '\n======== aarch64 Debian check (%s, qemu-user) ========\n' "$SUITE"
  printf '%s\n' "${SUMMARY[@]}"
  printf 'total %ss\n' $(($(date +%s) - T0))
}

ensure_binfmt() {
  [[ -e /proc/sys/fs/binfmt_misc/status ]] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    command -v update-binfmts >/dev/null || apt-get install -y -q qemu-user-static binfmt-support
    update-binfmts --enable qemu-aarch64
  fi
  grep -q '^flags:.*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 || {
    echo "qemu-aarch64 is registered without the F flag: install qemu-user-static" >&2
    return 1
  }
  command -v debootstrap >/dev/null || apt-get install -y -q debootstrap
}

bootstrap() {
  if [[ -e $ROOTFS/.movicore-bootstrapped ]]; then
    echo "reusing $ROOTFS"
    return 0
  fi
  rm -rf "$ROOTFS"
  debootstrap --arch=arm64 --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR"
  touch "$ROOTFS/.movicore-bootstrapped"
}

MOUNTS=()
mount_chroot() {
  local m
  for m in proc sys dev; do
    mountpoint -q "$ROOTFS/$m" && continue
    mount --bind "/$m" "$ROOTFS/$m"
    MOUNTS+=("$ROOTFS/$m")
  done
  cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  # The host's CA bundle too: behind a TLS-inspecting proxy only the host trusts its CA.
  cp -L "${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}" "$ROOTFS/etc/host-ca.crt"
}
unmount_chroot() {
  local m
  for m in "${MOUNTS[@]}"; do umount -l "$m" || true; done
}
trap unmount_chroot EXIT

in_root() {  # in_root 'shell commands': run as root inside the arm64 Debian
  chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/opt/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off OMP_NUM_THREADS=1 \
    PIP_CERT=/etc/host-ca.crt SSL_CERT_FILE=/etc/host-ca.crt \
    MOVICORE_SHARED=/src/shared /bin/bash -eo pipefail -c "$1"
}

copy_source() {
  # The checkout as a user clones it: tracked and untracked-but-not-ignored files.
  rm -rf "$ROOTFS/src"
  mkdir -p "$ROOTFS/src/movicore"
  (cd "$here" && git ls-files -z --cached --others --exclude-standard \
     | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
     | tar --null -T - -cf -) | tar -C "$ROOTFS/src/movicore" -xf -
  local shared=${MOVICORE_SHARED:-$here/../shared}
  if [[ -d $shared/fixtures ]]; then
    mkdir -p "$ROOTFS/src/shared"
    cp -r "$shared/fixtures" "$ROOTFS/src/shared/"
  fi
}

step binfmt ensure_binfmt
step debootstrap bootstrap
mount_chroot
step uname in_root 'uname -m; python3 --version; g++ --version | head -n1; cmake --version | head -n1'
step copy-source copy_source
step venv in_root 'rm -rf /opt/venv && python3 -m venv /opt/venv && pip install -q --upgrade pip'
step pip-install in_root 'pip install -v /src/movicore 2>&1 | grep -E "^(Successfully|Building|Collecting numpy)|Built|numpy" | tail -n 8'
step pip-install-pytest in_root 'pip install -q "pytest>=8"'
step import in_root 'cd / && python -c "import movicore, platform; from movicore._cpu import cpu_info
print(platform.machine(), movicore.__file__, cpu_info())"'
step demo in_root "cd / && movicore demo --clips $DEMO_CLIPS"
step test-official in_root 'cd /src/movicore && pytest -q -p no:cacheprovider tests/python/test_engine_official.py'
step bench in_root "cd / && movicore bench t0 --frames $BENCH_FRAMES --warmup 4 --json /tmp/bench-aarch64.json && head -c 600 /tmp/bench-aarch64.json; echo"
summary
