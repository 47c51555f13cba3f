#!/usr/bin/python3
"""Sends the corpus into the private Postfix instance, each message by its route.

  send.py MANIFEST POSTFIX_CONFIG_DIR

Routes (addresses are fixed by run.sh):
  internal    127.0.0.1 -> 127.0.0.1:2525   a host in mynetworks and in Postseal's internal-networks
  outside     127.0.0.3 -> 127.0.0.2:2525   the world: the client binds 127.0.0.3, which is in neither
  submission  127.0.0.4 -> 127.0.0.2:2587   a laptop somewhere: outside address, SMTP AUTH via Dovecot
  sendmail    /usr/sbin/sendmail -C DIR     local submission (pickup), seen by non_smtpd_milters
Inbound cases use "outside"; outbound cases say their route. Writes MANIFEST's directory/sent.json:
case id -> the SMTP reply (or sendmail exit status).
"""
import json
import os
import smtplib
import subprocess
import sys

ROUTES = {
    "internal": (("127.0.0.1", 2525), None),
    "outside": (("127.0.0.2", 2525), ("127.0.0.3", 0)),
    "submission": (("127.0.0.2", 2587), ("127.0.0.4", 0)),
}
SASL_USER, SASL_PASSWORD = "alice@postseal.example", "laptop-secret"


def send_smtp(route, sender, recipient, data):
    (host, port), source = ROUTES[route]
    options = ["BODY=8BITMIME"] if any(b > 0x7F for b in data) else []
    try:
        with smtplib.SMTP(host, port, local_hostname="client.example", source_address=source, timeout=60) as smtp:
            smtp.ehlo()
            if route == "submission":
                smtp.login(SASL_USER, SASL_PASSWORD)
            refused = smtp.sendmail(sender, [recipient], data, mail_options=options)
            if refused:
                return f"refused {refused}"
            return "250 accepted"
    except smtplib.SMTPResponseException as e:
        return f"{e.smtp_code} {e.smtp_error.decode('utf-8', 'replace')}"
    except smtplib.SMTPRecipientsRefused as e:
        return "refused " + str(e.recipients)


def send_sendmail(config_dir, sender, recipient, data):
    # The sendmail command reads lines; it stores them without their CR.
    done = subprocess.run(["/usr/sbin/sendmail", "-C", config_dir, "-i", "-f", sender, recipient],
                          input=data.replace(b"\r\n", b"\n"), capture_output=True, timeout=60)
    return "250 accepted" if done.returncode == 0 else f"sendmail exit {done.returncode}: {done.stderr!r}"


def main():
    manifest_path, config_dir = sys.argv[1], sys.argv[2]
    manifest = json.load(open(manifest_path))
    sent = {}
    for direction in ("outbound", "inbound"):
        for case in manifest[direction]:
            route = case.get("route", "outside")
            data = open(case["file"], "rb").read()
            if route == "sendmail":
                reply = send_sendmail(config_dir, case["sender"], case["recipient"], data)
            else:
                reply = send_smtp(route, case["sender"], case["recipient"], data)
            sent[case["id"]] = reply
            if not reply.startswith("250"):
                print(f"  {case['id']}: {reply}", file=sys.stderr)
    with open(os.path.join(os.path.dirname(manifest_path), "sent.json"), "w") as f:
        json.dump(sent, f, indent=1)
    accepted = sum(1 for r in sent.values() if r.startswith("250"))
    print(f"sent {len(sent)} messages, {accepted} accepted")


if __name__ == "__main__":
    sys.exit(main())
