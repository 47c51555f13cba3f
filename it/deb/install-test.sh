#!/usr/bin/env bash
# The Debian package as an admin meets it: built by `mvn -B package` (packaging/target/postseal_*_all.deb),
# inspected (dpkg-deb --info/--contents), linted (lintian: no errors), installed with dpkg -i, run as the
# postseal user (--version, config check), its socket directory and config file checked for owner and mode,
# keygen as root giving the keys to postseal, an unlistable key directory reported with its chown fix,
# its unit checked by systemd-analyze (verify, and security with an exposure of at most 3.0), upgraded over
# itself (an edited config, a key and the state stay), removed and purged (what the package made is gone,
# the user stays).
#
# systemd need not run here (PID 1 may be another init): systemd-analyze works offline on unit files, and the
# maintainer scripts start the service only where /run/systemd/system exists. Postfix is installed first (with
# "No configuration", no service started) so that its group exists and the socket directory is made.
#
# Runs as root. Exits non-zero on any failure. Usage: it/deb/install-test.sh [DEB]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

HARNESS_NAME=it/deb/install-test.sh
log() { printf '== %s\n' "$*"; }
# shellcheck source=it/lib/harness.sh
source "$root/it/lib/harness.sh"

work=$(mktemp -d /tmp/postseal-deb.XXXXXX)
remove_work() { rm -rf "$work"; }
harness_on_exit remove_work

MAX_EXPOSURE=3.0

deb=${1:-}
if [ -z "$deb" ]; then
  for f in packaging/target/postseal_*_all.deb; do deb=$f; done
fi
[ -f "$deb" ] || die "no packaging/target/postseal_*_all.deb: run mvn -B package first"
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

install_packages "$work/apt.log" postfix postfix lintian systemd openjdk-17-jre-headless
if dpkg-query -W -f='${Status}' postseal 2>/dev/null | grep -q 'install ok installed'; then
  die "postseal is installed already; this test installs and purges it: dpkg --purge postseal first"
fi

log "dpkg-deb --info"
dpkg-deb --info "$deb"
log "dpkg-deb --contents (jars summarised)"
dpkg-deb --contents "$deb" | grep -v '/usr/share/postseal/lib/.*\.jar$'
echo "... and $(dpkg-deb --contents "$deb" | grep -c '/usr/share/postseal/lib/.*\.jar$') jars in /usr/share/postseal/lib/"

log "lintian (no errors allowed; README.md \"Install\" says why each warning stays)"
lintian --fail-on error "$deb"

log "dpkg -i"
dpkg -i "$deb"
[ "$(postseal --version)" = "postseal $(dpkg-query -W -f='${Version}' postseal | sed 's/~/-/')" ] \
  || die "postseal --version does not name the package's version: $(postseal --version)"
postseal --version
log "the class-data archive: made by postinst for this JVM, used by the postseal user, refused silently when stale"
[ -s /var/cache/postseal/postseal.jsa ] || die "postinst made no class-data archive in /var/cache/postseal"
[ "$(readlink /usr/share/postseal/lib/postseal.jsa)" = /var/cache/postseal/postseal.jsa ] \
  || die "/usr/share/postseal/lib/postseal.jsa does not link to /var/cache/postseal/postseal.jsa"
# -Xshare:on turns a refused archive into an error: the JVM maps this one
runuser -u postseal -- env POSTSEAL_JAVA_OPTS=-Xshare:on postseal --version >/dev/null \
  || die "the JVM refuses the archive postinst made"
# a stale archive (here: not an archive at all) is ignored without a word, and the command still works
cp /var/cache/postseal/postseal.jsa /tmp/postseal.jsa.saved
echo "not an archive" > /var/cache/postseal/postseal.jsa
[ "$(postseal --version 2>&1)" = "$(dpkg-query -W -f='postseal ${Version}' postseal | sed 's/~/-/')" ] \
  || die "a stale class-data archive changed what postseal --version prints: $(postseal --version 2>&1)"
mv /tmp/postseal.jsa.saved /var/cache/postseal/postseal.jsa
log "postseal config check, as the postseal user"
runuser -u postseal -- postseal config check
expect_stat() {
  local path=$1 want=$2 got
  got=$(stat -c '%U:%G %a' "$path")
  [ "$got" = "$want" ] || die "$path is $got, expected $want"
  echo "$path: $got"
}
expect_stat /etc/postseal/postseal.toml "root:postseal 640"
expect_stat /var/lib/postseal "postseal:postseal 750"
# setgid: every socket made in it gets the group postfix, so Postfix may connect
expect_stat /var/spool/postfix/postseal "postseal:postfix 2750"
readlink -f /usr/bin/postseal | grep -qx /usr/share/postseal/bin/postseal || die "/usr/bin/postseal points elsewhere"

log "the unix socket as Postfix will see it"
install -m 0644 /etc/postseal/postseal.toml "$work/unix.toml"
sed -i '0,/^listen = /s|^listen = .*|listen = "unix:/var/spool/postfix/postseal/postseal.sock"|; s|^state-dir = .*|state-dir = "'"$work"'/state"|' \
  "$work/unix.toml"
install -d -o postseal -g postseal -m 0750 "$work/state"
chmod 755 "$work"
runuser -u postseal -- postseal config check --config "$work/unix.toml"
# setpriv execs (runuser would stay as the parent and SIGKILL serve 2 s after passing SIGTERM on)
setpriv --reuid postseal --regid postseal --init-groups postseal serve --config "$work/unix.toml" >"$work/serve.log" 2>&1 &
serve_pid=$!
PIDS[serve]=$serve_pid
for _ in $(seq 1 300); do [ -S /var/spool/postfix/postseal/postseal.sock ] && break; sleep 0.1; done
expect_stat /var/spool/postfix/postseal/postseal.sock "postseal:postfix 660"
stop_pid serve
[ ! -e /var/spool/postfix/postseal/postseal.sock ] || { cat "$work/serve.log"; die "the socket stayed after serve stopped"; }

log "systemd-analyze verify"
systemd-analyze verify /lib/systemd/system/postseal.service
log "systemd-analyze security (exposure at most $MAX_EXPOSURE)"
systemd-analyze security --offline=yes /lib/systemd/system/postseal.service | tee "$work/security.txt" | tail -n 1
exposure=$(sed -n 's/.*Overall exposure level for postseal.service: \([0-9.]*\).*/\1/p' "$work/security.txt")
[ -n "$exposure" ] || die "no exposure level in systemd-analyze's output"
awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }' \
  || die "exposure $exposure is above $MAX_EXPOSURE"

log "keygen run as root writes keys the service's user owns"
postseal keygen example.com --selector upgrade1 >/dev/null
expect_stat /var/lib/postseal/keys "postseal:postseal 700"
expect_stat /var/lib/postseal/keys/example.com "postseal:postseal 700"
expect_stat /var/lib/postseal/keys/example.com/upgrade1.pem "postseal:postseal 600"
log "a key directory the service cannot list is reported with the chown that fixes it"
install -d -o root -g root -m 0700 /var/lib/postseal/keys/blocked.example
runuser -u postseal -- postseal config check 2>&1 | tee "$work/blocked.txt"
grep -q "blocked.example: cannot list the directory: permission denied (owner root), so no key in it signs; fix: chown -R postseal /var/lib/postseal/keys/blocked.example" \
  "$work/blocked.txt" || die "config check did not name the chown fix"
rmdir /var/lib/postseal/keys/blocked.example

log "upgrade over itself: the edited config, a key and the state stay"
echo "# edited by the admin" >>/etc/postseal/postseal.toml
dpkg -i "$deb"
grep -qx "# edited by the admin" /etc/postseal/postseal.toml || die "the upgrade replaced the edited config"
expect_stat /etc/postseal/postseal.toml "root:postseal 640"
[ -f /var/lib/postseal/keys/example.com/upgrade1.pem ] || die "the upgrade lost the key"
expect_stat /var/lib/postseal/keys/example.com/upgrade1.pem "postseal:postseal 600"

log "remove keeps the config and the state; purge removes them"
dpkg --remove postseal
[ -f /etc/postseal/postseal.toml ] || die "remove took the config (a conffile stays until purge)"
[ -f /var/lib/postseal/keys/example.com/upgrade1.pem ] || die "remove took the keys"
dpkg --purge postseal
for gone in /etc/postseal /var/lib/postseal /var/spool/postfix/postseal /usr/share/postseal /usr/bin/postseal \
  /var/cache/postseal; do
  [ ! -e "$gone" ] || die "$gone is still there after purge"
done
! dpkg-statoverride --list /etc/postseal/postseal.toml >/dev/null || die "the statoverride outlived the purge"
getent passwd postseal >/dev/null || die "purge removed the user (Debian keeps system users)"
echo "purged: /etc/postseal, /var/lib/postseal, /var/spool/postfix/postseal and the app are gone; user postseal stays"
