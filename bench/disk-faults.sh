#!/usr/bin/env bash
# Disk faults during keygen (issue 11), on real mounts: what `postseal keygen` says and what it leaves when the
# state directory is on a read-only file system (EROFS) and when its disk is full (ENOSPC). Expected: the message
# names the cause and its fix (never chown/chmod), and no key file, temporary file or changed state file is left.
#
#   sudo bench/disk-faults.sh
#
# Needs root (it mounts small tmpfs file systems under a temporary directory and unmounts them on exit). Not part
# of `mvn verify`. Runs ./postseal, which builds the app image first when it is older than the sources.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
POSTSEAL="$ROOT/postseal"
WORK=$(mktemp -d)
MNT="$WORK/mnt"
mkdir -p "$MNT"
cleanup() {
  if mountpoint -q "$MNT"; then
    umount "$MNT"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
  echo "disk-faults.sh: needs root to mount tmpfs file systems" >&2
  exit 2
fi
"$POSTSEAL" --version >/dev/null

cat > "$WORK/postseal.toml" <<EOF
listen = "inet:127.0.0.1:0"
authserv-id = "mx.disk.test"
state-dir = "$MNT/state"
[dns]
servers = ["127.0.0.1:9"]
timeout = "200ms"
[signing]
domains = ["example.com"]
EOF

# what is in the key store, without the time stamps: names, sizes and the state file's digest
inventory() {
  (cd "$MNT/state" && find . -type f -printf '%p %s\n' | sort
   [ -f keys/example.com/keys.state ] && sha256sum keys/example.com/keys.state) || true
}

keygen() {
  set +e
  "$POSTSEAL" keygen "$@" --config "$WORK/postseal.toml" 2>&1
  echo "(exit status $?)"
  set -e
}

echo "== 1. read-only state directory (tmpfs remounted ro) =="
mount -t tmpfs -o size=4m,mode=0755 tmpfs "$MNT"
keygen example.com --selector first --algorithm ed25519 >/dev/null
before=$(inventory)
mount -o remount,ro "$MNT"
echo "\$ postseal keygen example.com --selector second --algorithm rsa-2048"
keygen example.com --selector second --algorithm rsa-2048
echo "\$ postseal keygen example.org   (a domain without a directory yet)"
keygen example.org
after=$(inventory)
[ "$before" = "$after" ] && echo "files unchanged: yes" || { echo "files changed:"; diff <(echo "$before") <(echo "$after") || true; }
umount "$MNT"

echo
echo "== 2. full disk (tmpfs of 64 KiB, filled up) =="
mount -t tmpfs -o size=64k,mode=0755 tmpfs "$MNT"
keygen example.com --selector first --algorithm ed25519 >/dev/null
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
before=$(inventory)
echo "free: $(df --output=avail -B1 "$MNT" | tail -n 1) bytes"
echo "\$ postseal keygen example.com --selector second --algorithm rsa-4096"
keygen example.com --selector second --algorithm rsa-4096
after=$(inventory)
[ "$before" = "$after" ] && echo "files unchanged: yes" || { echo "files changed:"; diff <(echo "$before") <(echo "$after") || true; }
echo "temporary files left: $(find "$MNT/state" -name '*.tmp' | wc -l)"

echo
echo "== 3. a full disk with one page free: the key fits, its record file does not =="
rm -f "$MNT/filler"
dd if=/dev/zero of="$MNT/filler" bs=4k count=$(( $(df --output=avail -B4096 "$MNT" | tail -n 1) - 1 )) 2>/dev/null || true
before=$(inventory)
echo "free: $(df --output=avail -B1 "$MNT" | tail -n 1) bytes"
echo "\$ postseal keygen example.com --selector third --algorithm rsa-4096"
keygen example.com --selector third --algorithm rsa-4096
after=$(inventory)
[ "$before" = "$after" ] && echo "files unchanged: yes" || { echo "files changed:"; diff <(echo "$before") <(echo "$after") || true; }
echo "temporary files left: $(find "$MNT/state" -name '*.tmp' | wc -l)"
