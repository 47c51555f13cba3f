# shellcheck shell=bash
# What it/run.sh, it/keys/opendkim-testkey.sh and bench/compare.sh (with bench/postfix.sh) share: Debian
# packages installed without starting their services, process bookkeeping, a private knot, a private
# Postfix instance and Postseal's configuration file. Sourced, after `set -euo pipefail`, by a script that
# sets HARNESS_NAME (the name its messages start with) and defines log MESSAGE (its progress lines) first:
#
#   HARNESS_NAME=it/run.sh
#   log() { printf '== %s\n' "$*"; }
#   source "$ROOT/it/lib/harness.sh"
#   harness_on_exit remove_work_dir      # the script's own last step, given the exit status
#
# Everything listens on loopback. At exit, harness_stop_all stops exactly what these functions started
# (the PIDs recorded by start_bg, the Postfix instance started by postfix_start) and nothing else.

HARNESS_NAME=${HARNESS_NAME:-$0}
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
declare -A PIDS=()             # NAME -> PID of every background process started by start_bg
HARNESS_POSTFIX_ETC=""         # the config directory of the Postfix instance postfix_start started
HARNESS_CREATED_POLICY_RC=0    # 1 while /usr/sbin/policy-rc.d is ours
HARNESS_ON_EXIT=true           # the script's own clean-up (harness_on_exit)

die() { printf '%s: %s\n' "$HARNESS_NAME" "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------
# processes

# start_bg NAME LOGFILE COMMAND...: run COMMAND in the background (output appended to LOGFILE) and
# remember its PID under NAME.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  "$@" >>"$logfile" 2>&1 &
  PIDS[$name]=$!
}

# stop_pid NAME: SIGTERM the process started as NAME, wait up to 10 s, then SIGKILL it.
stop_pid() {
  local name=$1 pid=${PIDS[$1]:-}
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true   # its exit status is not ours: a stopped process is no failure
  unset "PIDS[$name]"
}

# harness_on_exit FUNCTION: at exit (INT and TERM become exit 130), stop everything with harness_stop_all,
# then call FUNCTION RC (the script's own clean-up: its work directory, its last words) under set +e; the
# script still exits with RC.
harness_on_exit() {
  HARNESS_ON_EXIT=$1
  trap harness_exit EXIT
  trap 'exit 130' INT TERM
}

harness_exit() {
  local rc=$?
  set +e
  harness_stop_all
  "$HARNESS_ON_EXIT" "$rc"
  exit "$rc"
}

# harness_stop_all: stop the Postfix instance, every recorded process, and remove policy-rc.d if
# install_packages left its own in place (a failure there).
harness_stop_all() {
  if [ -n "$HARNESS_POSTFIX_ETC" ]; then
    postfix -c "$HARNESS_POSTFIX_ETC" stop >/dev/null 2>&1
    HARNESS_POSTFIX_ETC=""
  fi
  local name
  for name in "${!PIDS[@]}"; do
    stop_pid "$name"
  done
  if [ "$HARNESS_CREATED_POLICY_RC" = 1 ]; then
    rm -f /usr/sbin/policy-rc.d
    HARNESS_CREATED_POLICY_RC=0
  fi
}

# tcp_open HOST PORT: true when something accepts connections there (HOST may be [::1]).
tcp_open() {
  local host=${1#[}
  (exec 3<>"/dev/tcp/${host%]}/$2") 2>/dev/null
}

# require_free HOST PORT: fail unless HOST:PORT is free (another run would be measured instead of ours).
require_free() {
  tcp_open "$1" "$2" && die "$1:$2 is already in use by something this script did not start"
  return 0
}

# wait_port NAME HOST PORT LOGFILE: wait up to 60 s until NAME (started by us) listens; fail with the
# tail of LOGFILE when it exits first or never listens.
wait_port() {
  local name=$1 host=$2 port=$3 logfile=$4
  for _ in $(seq 1 600); do
    tcp_open "$host" "$port" && return 0
    if [ -n "${PIDS[$name]:-}" ] && ! kill -0 "${PIDS[$name]}" 2>/dev/null; then
      tail -n 30 "$logfile" >&2
      die "$name exited before listening on $host:$port"
    fi
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2
  die "$name does not listen on $host:$port after 60 s"
}

# ---------------------------------------------------------------------------------------------------
# Debian packages

# install_packages LOGFILE SERVICES PACKAGE...: install the PACKAGEs that are missing (apt-get's output
# goes to LOGFILE, its tail to stderr when it fails), with no service started meanwhile (invoke-rc.d asks
# /usr/sbin/policy-rc.d whether a package's service may start: 101 = no, so port 53 stays untouched) and
# Postfix's question answered "No configuration" (no /etc/postfix/main.cf); then disable the system
# SERVICES (space-separated names) that the packages enabled: the scripts run their own instances.
install_packages() {
  local logfile=$1 services=$2 p s
  shift 2
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\n# %s: no service starts during package installation\nexit 101\n' "$HARNESS_NAME" \
        > /usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      HARNESS_CREATED_POLICY_RC=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$logfile" 2>&1 \
      || { tail -n 30 "$logfile" >&2; die "apt-get install failed"; }
    if [ "$HARNESS_CREATED_POLICY_RC" = 1 ]; then rm -f /usr/sbin/policy-rc.d; HARNESS_CREATED_POLICY_RC=0; fi
  fi
  for s in $services; do
    if command -v systemctl >/dev/null; then systemctl disable --quiet "$s" >/dev/null 2>&1 || true; fi
    update-rc.d "$s" disable >/dev/null 2>&1 || true
  done
}

# ---------------------------------------------------------------------------------------------------
# knot

# knot_start DIR ADDRESS PORT: serve every DIR/zones/NAME.zone (zone NAME) with a knotd listening on
# ADDRESS@PORT, its config, database and control socket in DIR, its log in DIR/knot.log; return once
# every zone is loaded (listening is not loaded: a query before that gets SERVFAIL). Recorded as "knot".
knot_start() {
  local dir=$1 address=$2 port=$3 zone
  mkdir -p "$dir/db"
  {
    cat <<EOF
server:
    rundir: "$dir"
    listen: $address@$port
log:
  - target: stderr
    any: info
database:
    storage: "$dir/db"
template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
EOF
    for zone in "$dir"/zones/*.zone; do echo "  - domain: $(basename "$zone" .zone)"; done
  } > "$dir/knot.conf"
  knotc -c "$dir/knot.conf" conf-check >/dev/null
  start_bg knot "$dir/knot.log" knotd -c "$dir/knot.conf"
  wait_port knot "$address" "$port" "$dir/knot.log"
  for zone in "$dir"/zones/*.zone; do
    zone=$(basename "$zone" .zone)
    for _ in $(seq 1 100); do
      knotc -c "$dir/knot.conf" zone-read "$zone" @ SOA >/dev/null 2>&1 && continue 2
      sleep 0.1
    done
    tail -n 30 "$dir/knot.log" >&2
    die "knot did not load the zone $zone"
  done
}

# unbound_forward_conf FILE ADDRESS PORT: an unbound configuration for OpenDKIM's libunbound that sends
# every query to ADDRESS@PORT. Without do-not-query-localhost: no, unbound silently refuses to ask a
# 127.x server and every key is "not found".
unbound_forward_conf() {
  cat > "$1" <<EOF
server:
    do-not-query-localhost: no
    module-config: "iterator"
forward-zone:
    name: "."
    forward-addr: $2@$3
EOF
}

# ---------------------------------------------------------------------------------------------------
# a private Postfix instance: `postfix -c DIR/etc`, own queue and data directories; /etc/postfix is never read

# postfix_main_cf DIR MYHOSTNAME MYDOMAIN SINK INET_INTERFACES INET_PROTOCOLS < SETTINGS: write
# DIR/etc/main.cf: queue DIR/spool, data DIR/data, log DIR/maillog; no local delivery; mail for MYDOMAIN
# relayed and everything delivered to SINK (HOST:PORT, smtp-sink) without DNS; mynetworks 127.0.0.1 only;
# the message delivered as the milters left it. The script's own settings, read from stdin, follow.
postfix_main_cf() {
  local dir=$1 myhostname=$2 mydomain=$3 sink=$4 interfaces=$5 protocols=$6
  mkdir -p "$dir/etc" "$dir/spool" "$dir/data"
  chown postfix "$dir/data"
  {
    cat <<EOF
# $HARNESS_NAME: private instance; own queue and data directories, loopback only; /etc/postfix is never read.
compatibility_level = 3.6
queue_directory = $dir/spool
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = $myhostname
mydomain = $mydomain
myorigin = \$mydomain
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 no local delivery in this instance
alias_maps =
alias_database =
relay_domains = $mydomain
transport_maps = static:smtp:[${sink%:*}]:${sink##*:}
mynetworks = 127.0.0.1/32
inet_interfaces = $interfaces
inet_protocols = $protocols
# No DNS and no reverse lookups: nothing but Postfix and the milters in the path.
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
# Deliver exactly what the milters saw: no header rewriting, no 8-bit to quoted-printable conversion.
local_header_rewrite_clients =
disable_mime_output_conversion = yes
EOF
    cat
  } > "$dir/etc/main.cf"
}

# postfix_master_cf DIR < LISTENERS: write DIR/etc/master.cf: the script's smtpd listeners (stdin), then
# Postfix's own services (it/postfix-services.cf, Debian's master.cf with chroot off); `postfix check`
# then creates the queue directories with their owners.
postfix_master_cf() {
  local dir=$1
  {
    cat
    cat "$HARNESS_DIR/../postfix-services.cf"
  } > "$dir/etc/master.cf"
  postfix -c "$dir/etc" check >/dev/null 2>&1 || { cat "$dir/maillog" >&2 2>/dev/null; die "postfix check failed"; }
}

# postfix_start DIR HOST:PORT...: start the instance and wait until each listener (HOST may be [::1])
# accepts connections; harness_stop_all stops it.
postfix_start() {
  local dir=$1 hp
  shift
  postfix -c "$dir/etc" start >/dev/null 2>&1 || { tail -n 20 "$dir/maillog" >&2; die "postfix start failed"; }
  HARNESS_POSTFIX_ETC=$dir/etc
  for hp in "$@"; do
    wait_port postfix "${hp%:*}" "${hp##*:}" "$dir/maillog"
  done
}

# ---------------------------------------------------------------------------------------------------
# Postseal

# postseal_config FILE --state-dir DIR --dns HOST:PORT --dns-timeout DURATION [--listen SOCKET
#   --authserv-id ID --domain DOMAIN --internal CIDR --algorithms "ALG..." --sign-authenticated
#   --reports-from ADDRESS --reports-smtp HOST:PORT]:
# write Postseal's configuration file; the signing part only when --domain is given. Aggregate reports are
# off unless --reports-from names their sender (an address in DOMAIN) and --reports-smtp where they go.
postseal_config() {
  local file=$1 state_dir="" dns="" timeout="" listen="" authserv_id="" domain="" internal="" algorithms=""
  local sign_authenticated=0 reports_from="" reports_smtp=""
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --state-dir) state_dir=$2; shift 2 ;;
      --dns) dns=$2; shift 2 ;;
      --dns-timeout) timeout=$2; shift 2 ;;
      --listen) listen=$2; shift 2 ;;
      --authserv-id) authserv_id=$2; shift 2 ;;
      --domain) domain=$2; shift 2 ;;
      --internal) internal=$2; shift 2 ;;
      --algorithms) algorithms=$2; shift 2 ;;
      --sign-authenticated) sign_authenticated=1; shift ;;
      --reports-from) reports_from=$2; shift 2 ;;
      --reports-smtp) reports_smtp=$2; shift 2 ;;
      *) die "postseal_config: unknown option $1" ;;
    esac
  done
  [ -n "$state_dir" ] && [ -n "$dns" ] && [ -n "$timeout" ] \
    || die "postseal_config: --state-dir, --dns and --dns-timeout are required"
  {
    [ -z "$listen" ] || echo "listen = \"$listen\""
    [ -z "$authserv_id" ] || echo "authserv-id = \"$authserv_id\""
    echo "state-dir = \"$state_dir\""
    printf '\n[dns]\nservers = ["%s"]\ntimeout = "%s"\n' "$dns" "$timeout"
    if [ -n "$domain" ]; then
      local list
      # shellcheck disable=SC2086
      list=$(printf '"%s", ' $algorithms)
      printf '\n[signing]\ndomains = ["%s"]\ninternal-networks = ["%s"]\n' "$domain" "$internal"
      [ "$sign_authenticated" = 0 ] || echo "sign-authenticated = true"
      echo "algorithms = [${list%, }]"
      if [ -n "$reports_from" ]; then
        printf '\n[reports]\nenabled = true\nfrom = "%s"\nsmtp = "%s"\n' "$reports_from" "$reports_smtp"
      else
        printf '\n[reports]\nenabled = false\n'
      fi
    fi
  } > "$file"
}
