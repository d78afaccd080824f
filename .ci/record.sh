#!/usr/bin/env bash
# Records plaintext sessions between real mail peers into OUTDIR as
# transcripts (see internal/transcript and internal/cmd/mailrecord).
#
#   sudo bash .ci/record.sh OUTDIR        (after bash .ci/peers.sh)
#
# Servers: Dovecot (IMAP, POP3) and Postfix (SMTP), started from configs
# written into a temp dir, on 127.0.0.1 only. Clients: Python's
# smtplib/imaplib/poplib, curl, swaks, msmtp, mbsync and fetchmail (when
# installed), each behind a mailrecord relay. Plaintext throughout so the
# bytes are readable, except one STARTTLS session per protocol, recorded so
# the capability and the go-ahead are on file (what follows it is TLS).
# Every process started here is stopped on exit; every wait is bounded.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "record.sh: must run as root (Dovecot and Postfix drop privileges)" >&2
	exit 2
fi
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
if compgen -G "$OUT/*.txn*" >/dev/null; then
	echo "record.sh: $OUT already holds transcripts; give an empty directory" >&2
	exit 2
fi
REPO=$(cd "$(dirname "$0")/.." && pwd)

for tool in dovecot doveadm postfix postconf swaks curl msmtp mbsync python3 openssl go; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "record.sh: missing peer or tool: $tool (run .ci/peers.sh)" >&2
		exit 1
	fi
done
HAVE_FETCHMAIL=0
if command -v fetchmail >/dev/null 2>&1; then HAVE_FETCHMAIL=1; fi

IMAP_PORT=11143
POP3_PORT=11110
SMTP_PORT=12525
for port in $IMAP_PORT $POP3_PORT $SMTP_PORT; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		echo "record.sh: 127.0.0.1:$port is already in use (an instance left running?)" >&2
		exit 1
	fi
done

S=$(mktemp -d /tmp/mwrec.XXXXXX) # short: Dovecot's socket paths must stay under 108 bytes
chmod 755 "$S"
RECORDER_PID=
POSTFIX_STARTED=0

cleanup() {
	local status=$?
	set +e
	if [ -n "$RECORDER_PID" ]; then
		kill -TERM "$RECORDER_PID" 2>/dev/null
		wait "$RECORDER_PID" 2>/dev/null
	fi
	if [ "$POSTFIX_STARTED" = 1 ]; then
		postfix -c "$S/postfix/conf" stop >/dev/null 2>&1
	fi
	if [ -f "$S/dovecot/run/master.pid" ]; then
		timeout 20 doveadm -c "$S/dovecot/dovecot.conf" stop >/dev/null 2>&1 ||
			kill -KILL "$(cat "$S/dovecot/run/master.pid")" 2>/dev/null
	fi
	if [ $status -ne 0 ]; then
		for log in "$S/dovecot/dovecot.log" "$S/postfix/maillog" "$S"/*.log; do
			[ -f "$log" ] && { echo "== $log"; tail -n 30 "$log"; }
		done >&2
	fi
	rm -rf "$S"
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- versions
DOVECOT_V="Dovecot $(dovecot --version | cut -d' ' -f1)"
POSTFIX_V="Postfix $(postconf -d -h mail_version)"
CURL_V="curl $(curl --version | head -n1 | cut -d' ' -f2)"
SWAKS_V="swaks $(swaks --version | head -n1 | awk '{print $3}')"
MSMTP_V="msmtp $(msmtp --version | head -n1 | awk '{print $3}')"
MBSYNC_V="mbsync (isync) $(mbsync --version | awk '{print $2}')"
PY_V="Python $(python3 -c 'import sys; print(sys.version.split()[0])')"
FETCHMAIL_V=
if [ $HAVE_FETCHMAIL = 1 ]; then
	FETCHMAIL_V="fetchmail $(fetchmail --version 2>/dev/null | sed -n 's/^This is fetchmail release \([^ ,+]*\).*/\1/p' | head -n1)"
fi

# ---------------------------------------------------------------- setup
mkdir -p "$S/tls" "$S/dovecot" "$S/mail" "$S/postfix/conf" "$S/postfix/queue" "$S/work"
chown mail:mail "$S/mail"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
	-keyout "$S/tls/key.pem" -out "$S/tls/cert.pem" 2>/dev/null

( cd "$REPO" && go build -o "$S/mailrecord" ./internal/cmd/mailrecord )

cat >"$S/dovecot/users" <<EOF
alice:{PLAIN}alicepw
bob:{PLAIN}bobpw
carol:{PLAIN}carolpw
dave:{PLAIN}davepw
erin:{PLAIN}erinpw
EOF

cat >"$S/dovecot/dovecot.conf" <<EOF
protocols = imap pop3
listen = 127.0.0.1
base_dir = $S/dovecot/run
state_dir = $S/dovecot/state
log_path = $S/dovecot/dovecot.log
auth_failure_delay = 0
# TLS available (STARTTLS/STLS advertised) but not required, so the
# recorded sessions can stay plaintext.
ssl = yes
ssl_cert = <$S/tls/cert.pem
ssl_key = <$S/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $S/dovecot/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$S/mail/%u
}
first_valid_uid = 8
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
}
service imap-login {
  inet_listener imap {
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = $POP3_PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
EOF

cat >"$S/postfix/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $S/postfix/queue
data_directory = $S/postfix/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-record
maillog_file = $S/postfix/maillog
maillog_file_prefixes = $S
myhostname = localhost
mydomain = localdomain
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no
alias_maps =
alias_database =
local_recipient_maps =
relayhost =
biff = no
virtual_mailbox_domains = example.test
virtual_mailbox_base = $S/mail
virtual_mailbox_maps = static:sink/
virtual_uid_maps = static:8
virtual_gid_maps = static:8
virtual_minimum_uid = 8
default_transport = discard
# STARTTLS and AUTH offered on the plaintext port
smtpd_tls_cert_file = $S/tls/cert.pem
smtpd_tls_key_file = $S/tls/key.pem
smtpd_tls_security_level = may
smtp_tls_security_level = none
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $S/dovecot/run/auth-postfix
EOF

cat >"$S/postfix/conf/master.cf" <<EOF
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
virtual   unix - n n - - virtual
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF

# ---------------------------------------------------------------- clients
cat >"$S/clients.py" <<'PY'
"""Mailbox generator and Python stdlib mail clients for record.sh."""
import imaplib, os, poplib, smtplib, ssl, sys, time

def crlf(s):
    return s.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

def big_attachment():
    import base64
    lines = []
    for i in range(2600):
        lines.append(("%05d the quick brown fox %x jumps over the lazy dog %d\n" % (i, i * 2654435761 % 2**32, i * i)).encode())
    data = b"".join(lines)
    b64 = base64.encodebytes(data)
    return data, b64

def messages():
    """The varied messages of every mailbox, as raw bytes with LF ends."""
    m = []
    m.append(b"""From: Alice Example <alice@example.test>
To: Bob <bob@example.test>
Subject: dots and plain text
Date: Mon, 23 Nov 2026 10:00:00 +0000
Message-ID: <dots.1@example.test>

A line with a single dot follows:
.
..two dots
.leading dot
 . space dot
last line
""")
    m.append("""From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.test>
To: =?ISO-8859-1?Q?Fran=E7ois?= <francois@example.test>
Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4g4pyI?= and =?UTF-8?Q?caf=C3=A9?=
Date: Mon, 23 Nov 2026 10:01:00 +0100
Message-ID: <rfc2047.2@example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe, =E2=82=AC 5 f=C3=BCr den Kaffee.
""".encode())
    m.append(b"From: Ren\xe9 <rene@example.test>\nTo: bob@example.test\n"
             b"Subject: 8-bit latin-1 \xe9t\xe9 in a raw header\n"
             b"Date: Mon, 23 Nov 2026 10:02:00 +0000\nMessage-ID: <latin1.3@example.test>\n"
             b"MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\n"
             b"Content-Transfer-Encoding: 8bit\n\nD\xe9j\xe0 vu, \xe7a va.\n")
    m.append("""From: "Jörg Ünïcødé" <jörg@example.test>
To: 日本 <nihon@example.test>
Subject: Grüße aus Köln — 日本語の件名 ✈
Date: Mon, 23 Nov 2026 10:03:00 +0000
Message-ID: <utf8.4@example.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Raw UTF-8 headers (RFC 6532) and body: ½ ≠ ∞.
""".encode())
    refs = "\n ".join("<ref.%d.%s@lists.example.test>" % (i, "x" * 20) for i in range(30))
    tos = ",\n ".join('"Member %d" <member%d@example.test>' % (i, i) for i in range(20))
    long_value = " ".join("word%d" % i for i in range(150))
    m.append(("""From: list@example.test
To: %s
Subject: a long folded subject line that goes on and on past the seventy-eight
 character recommendation, and then continues onto a third line because it
 can
References: %s
X-Long-Header: %s
Date: Mon, 23 Nov 2026 10:04:00 +0000
Message-ID: <folded.5@example.test>

Folded headers above.
""" % (tos, refs, long_value)).encode())
    m.append(b"""From: Carol <carol@example.test>
To: alice@example.test
Subject: nested multipart
Date: Mon, 23 Nov 2026 10:05:00 +0000
Message-ID: <nested.6@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is a multi-part message in MIME format.
--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=us-ascii

plain version
--alt
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=us-ascii

<html><body><p>html <img src="cid:dot@x"></p></body></html>
--rel
Content-Type: image/png; name="dot.png"
Content-ID: <dot@x>
Content-Transfer-Encoding: base64
Content-Disposition: inline; filename="dot.png"

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--rel--
--alt--
--outer
Content-Type: application/pdf; name="report (final).pdf"
Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCg==
--outer--
epilogue
""")
    inner = b"""From: Dave <dave@example.test>
To: carol@example.test
Subject: the inner message
Date: Sun, 22 Nov 2026 09:00:00 -0500
Message-ID: <inner.7@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner-b"

--inner-b
Content-Type: text/plain

inner text
--inner-b
Content-Type: message/rfc822

From: Eve <eve@example.test>
Subject: innermost
Date: Sat, 21 Nov 2026 08:00:00 +0000

innermost body
--inner-b--
"""
    m.append(b"""From: Carol <carol@example.test>
To: alice@example.test
Subject: Fwd: the inner message
Date: Mon, 23 Nov 2026 10:06:00 +0000
Message-ID: <rfc822.7@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain

See the forwarded message.
--fwd
Content-Type: message/rfc822
Content-Disposition: attachment; filename="inner.eml"

""" + inner + b"""--fwd--
""")
    _, b64 = big_attachment()
    m.append(b"""From: Alice Example <alice@example.test>
To: bob@example.test
Subject: large attachment
Date: Mon, 23 Nov 2026 10:07:00 +0000
Message-ID: <large.8@example.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="big"

--big
Content-Type: text/plain

About 200 KB follow.
--big
Content-Type: text/plain; name="fox.txt"
Content-Disposition: attachment; filename="fox.txt"
Content-Transfer-Encoding: base64

""" + b64 + b"""--big--
""")
    m.append(b"""From: "Quote \\"Q\\" Back\\\\slash" <q@example.test>
To: undisclosed-recipients:;
Subject: braces {5} "quotes" (parens) [brackets] \\ backslash
Date: Mon, 23 Nov 2026 10:08:00 +0000 (UTC)
Message-ID: <special.9@example.test>
In-Reply-To: <rfc822.7@example.test>

Text with {5}
a literal-like line.
""")
    m.append(b"""From: empty@example.test
To: alice@example.test
Subject:
Date: Mon, 23 Nov 2026 10:09:00 +0000
Message-ID: <empty.10@example.test>

""")
    return m

FLAGS = ["", "S", "FS", "RS", "", "S", "", "S", "S", "T"]

def gen(root, users):
    """Writes the messages into each user's maildir, some with flags, and
    extra folders (one with a non-ASCII name) for the IMAP users."""
    msgs = messages()
    now = int(time.time())
    for user in users:
        base = os.path.join(root, user, "Maildir")
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(base, sub), exist_ok=True)
        for i, msg in enumerate(msgs):
            flags = FLAGS[i % len(FLAGS)]
            if flags:
                name = "%d.M%dP1.mwrec:2,%s" % (now + i, i, flags)
                path = os.path.join(base, "cur", name)
            else:
                path = os.path.join(base, "new", "%d.M%dP1.mwrec" % (now + i, i))
            with open(path, "wb") as f:
                f.write(msg)
        if user in ("alice", "erin"):
            for folder, picks in ((".Archive", (0, 5)), (".Entw&APw-rfe", (1,)), (".Archive.2025", (2,))):
                for sub in ("cur", "new", "tmp"):
                    os.makedirs(os.path.join(base, folder, sub), exist_ok=True)
                for i in picks:
                    with open(os.path.join(base, folder, "cur", "%d.M%dP2.mwrec:2,S" % (now, i)), "wb") as f:
                        f.write(msgs[i])
            with open(os.path.join(base, "subscriptions"), "w") as f:
                f.write("Archive\nEntw&APw-rfe\n")

def cafile_ctx(ca):
    return ssl.create_default_context(cafile=ca)

def smtp(port):
    msgs = messages()
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.test")
    s.ehlo()
    s.noop()
    s.verify("alice@example.test")
    s.help()
    s.login("alice", "alicepw")
    for i, msg in enumerate(msgs):
        opts = ["BODY=8BITMIME"]
        if i == 3:
            opts.append("SMTPUTF8")
        s.sendmail("alice@example.test", ["sink@example.test", "x%d@elsewhere.invalid" % i],
                   crlf(msg), mail_options=opts)
    s.mail("nobody@example.test")
    s.rset()
    s.quit()
    s = smtplib.SMTP("127.0.0.1", port)
    s.helo("old.example.test")
    s.sendmail("<>", ["sink@example.test"], crlf(msgs[0]))
    s.quit()

def smtp_starttls(port, ca):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.test")
    s.ehlo()
    s.starttls(context=cafile_ctx(ca))
    s.ehlo()
    s.quit()

def imap(port):
    a = imaplib.IMAP4("127.0.0.1", port)
    a.authenticate("PLAIN", lambda challenge: b"\0alice\0alicepw")
    a.logout()
    c = imaplib.IMAP4("127.0.0.1", port)
    c.capability()
    c.login("alice", "alicepw")
    c.capability()
    c.namespace()
    c.list()
    c.list('""', "%")
    c.lsub()
    c.status("INBOX", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
    c.status("Entw&APw-rfe", "(MESSAGES)")
    c.select("INBOX")
    c.search(None, "ALL")
    c.search(None, "UNSEEN")
    c.uid("SEARCH", "SUBJECT", '"multipart"')
    c.fetch("1:*", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
    c.fetch("1:*", "(BODYSTRUCTURE)")
    c.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)])")
    c.fetch("1:*", "(BODY.PEEK[])")
    c.fetch("6", "(BODY.PEEK[1.2.1] BODY.PEEK[2.MIME] BODY.PEEK[TEXT]<0.100>)")
    c.uid("FETCH", "1:*", "(FLAGS)")
    c.store("1", "+FLAGS", "(\\Seen \\Flagged)")
    c.store("2:3", "-FLAGS.SILENT", "(\\Seen)")
    c.store("4", "FLAGS", "(\\Answered $Forwarded)")
    c.copy("5:6", "Archive")
    c.create("Projekte/&ANw-bersicht")
    c.rename("Projekte/&ANw-bersicht", "Projekte/Done")
    c.delete("Projekte/Done")
    c.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(time.time()),
             crlf(messages()[1]))
    c.check()
    c.store("7", "+FLAGS", "(\\Deleted)")
    c.expunge()
    c.noop()
    c.close()
    c.select("Archive", readonly=True)
    c.fetch("1:*", "(FLAGS ENVELOPE)")
    c.unselect()
    c.logout()

def imap_starttls(port, ca):
    c = imaplib.IMAP4("127.0.0.1", port)
    c.capability()
    c.starttls(ssl_context=cafile_ctx(ca))
    c.login("alice", "alicepw")
    c.logout()

def pop3(port):
    p = poplib.POP3("127.0.0.1", port)
    p.capa()
    p.user("bob")
    p.pass_("bobpw")
    p.stat()
    p.list()
    p.uidl()
    p.list(2)
    p.uidl(2)
    p.top(3, 0)
    p.top(6, 5)
    n = int(p.stat()[0])
    for i in range(1, n + 1):
        p.retr(i)
    p.dele(1)
    p.rset()
    p.dele(2)
    p.noop()
    p.quit()

def pop3_starttls(port, ca):
    p = poplib.POP3("127.0.0.1", port)
    p.capa()
    p.stls(context=cafile_ctx(ca))
    p.user("bob")
    p.pass_("bobpw")
    p.quit()

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3:])
    elif cmd == "write":
        for i, msg in enumerate(messages()):
            with open(os.path.join(sys.argv[2], "msg%d.eml" % i), "wb") as f:
                f.write(crlf(msg))
    elif cmd.endswith("_starttls"):
        globals()[cmd](int(sys.argv[2]), sys.argv[3])
    else:
        globals()[cmd](int(sys.argv[2]))
PY

python3 "$S/clients.py" gen "$S/mail" alice bob carol dave erin
python3 "$S/clients.py" write "$S/work"
chown -R mail:mail "$S/mail"

# ---------------------------------------------------------------- servers
dovecot -c "$S/dovecot/dovecot.conf"
postfix -c "$S/postfix/conf" start >/dev/null 2>&1 || { echo "record.sh: postfix did not start" >&2; exit 1; }
POSTFIX_STARTED=1
for port in $IMAP_PORT $POP3_PORT $SMTP_PORT; do
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue 2; fi
		sleep 0.05
	done
	echo "record.sh: nothing listens on 127.0.0.1:$port" >&2
	exit 1
done

# ---------------------------------------------------------------- recording
# record NAME PROTOCOL TARGET_PORT SERVER CLIENT NOTE FUNCTION
# Starts a relay in front of TARGET_PORT, runs the client FUNCTION (in a
# bounded child bash) with $PORT set to the relay's port, then stops the
# relay and checks that it wrote at least one transcript.
record() {
	local name=$1 protocol=$2 target=$3 server=$4 client=$5 note=$6 fn=$7
	local ready="$S/ready.$name"
	"$S/mailrecord" -listen 127.0.0.1:0 -ready "$ready" -target "127.0.0.1:$target" \
		-out "$OUT" -name "$name" -protocol "$protocol" -server "$server" -client "$client" \
		-recorder "mailrecord via .ci/record.sh" -note "$note" \
		-sessions 20 -timeout 90s -session-timeout 60s -grace 3s 2>>"$S/mailrecord.log" &
	RECORDER_PID=$!
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		sleep 0.025
	done
	if [ ! -s "$ready" ]; then
		echo "record.sh: relay for $name did not start" >&2
		exit 1
	fi
	PORT=$(sed 's/.*://' "$ready")
	export PORT
	echo "record.sh: $name ($client -> $server)"
	export -f "$fn"
	if ! timeout 60 bash -euo pipefail -c "$fn" >"$S/$name.log" 2>&1; then
		echo "record.sh: client for $name failed:" >&2
		tail -n 20 "$S/$name.log" >&2
		exit 1
	fi
	kill -TERM "$RECORDER_PID"
	if ! wait "$RECORDER_PID"; then
		RECORDER_PID=
		echo "record.sh: relay for $name failed:" >&2
		cat "$S/mailrecord.log" >&2
		exit 1
	fi
	RECORDER_PID=
	if ! compgen -G "$OUT/$name-*.txn" >/dev/null; then
		echo "record.sh: no session recorded for $name" >&2
		exit 1
	fi
}

export S
export W=$S/work
export CA=$S/tls/cert.pem

# ---- SMTP -> Postfix
smtplib_smtp() { python3 "$S/clients.py" smtp "$PORT"; }
smtplib_starttls() { python3 "$S/clients.py" smtp_starttls "$PORT" "$CA"; }
swaks_smtp() {
	swaks --server "127.0.0.1:$PORT" --from a@example.org --to sink@example.test --helo swaks.example.test
	swaks --server "127.0.0.1:$PORT" --helo swaks.example.test --pipeline --from a@example.org --to sink@example.test --to b@elsewhere.invalid
	swaks --server "127.0.0.1:$PORT" --helo swaks.example.test --auth LOGIN --auth-user alice --auth-password alicepw \
		--from alice@example.test --to sink@example.test --attach "$W/msg5.eml" --attach-type application/octet-stream
	swaks --server "127.0.0.1:$PORT" --helo swaks.example.test --data "$W/msg0.eml" --from a@example.org --to sink@example.test
	swaks --server "127.0.0.1:$PORT" --helo swaks.example.test --auth PLAIN --auth-user bob --auth-password bobpw --from bob@example.test \
		--to sink@example.test,c@elsewhere.invalid,d@elsewhere.invalid --data "$W/msg7.eml"
}
curl_smtp() {
	curl -sS --mail-from a@example.org --mail-rcpt sink@example.test --upload-file "$W/msg1.eml" \
		"smtp://127.0.0.1:$PORT/client.example.test"
	curl -sS --user alice:alicepw --mail-from alice@example.test --mail-rcpt sink@example.test \
		--mail-rcpt e@elsewhere.invalid --upload-file "$W/msg6.eml" "smtp://127.0.0.1:$PORT"
	curl -sS --mail-rcpt alice@example.test "smtp://127.0.0.1:$PORT"
}
msmtp_smtp() {
	msmtp -C "$S/msmtprc" --port="$PORT" sink@example.test <"$W/msg0.eml"
	msmtp -C "$S/msmtprc" --port="$PORT" sink@example.test f@elsewhere.invalid <"$W/msg3.eml"
	msmtp -C "$S/msmtprc" --port="$PORT" sink@example.test <"$W/msg7.eml"
}
cat >"$S/msmtprc" <<EOF
defaults
tls off
logfile $S/msmtp.log
account plain
host 127.0.0.1
from msmtp@example.test
auth off
account default : plain
EOF
chmod 600 "$S/msmtprc"

record smtp-postfix-smtplib smtp $SMTP_PORT "$POSTFIX_V" "$PY_V smtplib" \
	"EHLO, NOOP, VRFY, HELP, AUTH PLAIN, 10 messages (8BITMIME, one SMTPUTF8), RSET; then HELO and a null sender" smtplib_smtp
record smtp-postfix-smtplib-starttls smtp $SMTP_PORT "$POSTFIX_V" "$PY_V smtplib" \
	"EHLO, STARTTLS; everything after the 220 go-ahead is TLS" smtplib_starttls
record smtp-postfix-swaks smtp $SMTP_PORT "$POSTFIX_V" "$SWAKS_V" \
	"default message; PIPELINING; AUTH LOGIN with an attachment; a file with dot lines; AUTH PLAIN and 3 recipients" swaks_smtp
record smtp-postfix-curl smtp $SMTP_PORT "$POSTFIX_V" "$CURL_V" \
	"uploads with one and two recipients, AUTH PLAIN, VRFY" curl_smtp
record smtp-postfix-msmtp smtp $SMTP_PORT "$POSTFIX_V" "$MSMTP_V" \
	"three messages, one to two recipients, TLS off, no AUTH" msmtp_smtp

# ---- IMAP -> Dovecot (alice: curl reads, imaplib changes; erin: mbsync syncs)
curl_imap() {
	local u=alice:alicepw url="imap://127.0.0.1:$PORT"
	curl -sS --user $u "$url/"
	curl -sS --user $u "$url/INBOX?ALL"
	curl -sS --user $u "$url/INBOX;UID=1"
	curl -sS --user $u "$url/INBOX;UID=6/;SECTION=1.2.1"
	curl -sS --user $u "$url/" -X 'EXAMINE INBOX'
	curl -sS --user $u "$url/" -X 'STATUS INBOX (MESSAGES UNSEEN)'
	curl -sS --user $u --upload-file "$W/msg4.eml" "$url/Archive"
}
mbsync_imap() {
	local m=$S/mbsync f
	sed "s/@PORT@/$PORT/" "$m/mbsyncrc.in" >"$m/mbsyncrc"
	mbsync -q -c "$m/mbsyncrc" -a
	# flag one message locally and trash another, then push both back
	f=$(find "$m/mail/INBOX/cur" -type f -name '*:2,S' | sort | head -n1)
	mv "$f" "${f%:2,S}:2,FS"
	f=$(find "$m/mail/INBOX/new" "$m/mail/INBOX/cur" -type f ! -name '*:2,?*' | sort | head -n1)
	mv "$f" "$m/mail/INBOX/cur/$(basename "${f%:2,}"):2,T"
	mbsync -q -c "$m/mbsyncrc" -a
}
imaplib_imap() { python3 "$S/clients.py" imap "$PORT"; }
imaplib_starttls() { python3 "$S/clients.py" imap_starttls "$PORT" "$CA"; }
mkdir -p "$S/mbsync/mail"
cat >"$S/mbsync/mbsyncrc.in" <<EOF
IMAPAccount peer
Host 127.0.0.1
Port @PORT@
User erin
Pass erinpw
SSLType None
AuthMechs LOGIN

IMAPStore peer-remote
Account peer

MaildirStore peer-local
Path $S/mbsync/mail/
Inbox $S/mbsync/mail/INBOX
SubFolders Verbatim

Channel peer
Far :peer-remote:
Near :peer-local:
Patterns *
Create Both
Expunge Both
Sync All
SyncState *
EOF

record imap-dovecot-curl imap $IMAP_PORT "$DOVECOT_V" "$CURL_V" \
	"LIST, SEARCH, FETCH by UID and section, EXAMINE, STATUS, APPEND" curl_imap
record imap-dovecot-mbsync imap $IMAP_PORT "$DOVECOT_V" "$MBSYNC_V" \
	"full sync of every folder (Sync All), then a flag change and a deletion pushed back" mbsync_imap
record imap-dovecot-imaplib imap $IMAP_PORT "$DOVECOT_V" "$PY_V imaplib" \
	"AUTHENTICATE PLAIN (no initial response); then CAPABILITY, LOGIN, NAMESPACE, LIST, LSUB, STATUS, SELECT, SEARCH, FETCH (ENVELOPE, BODYSTRUCTURE, sections, full), STORE, COPY, CREATE/RENAME/DELETE, APPEND, EXPUNGE, EXAMINE, UNSELECT, LOGOUT" imaplib_imap
record imap-dovecot-imaplib-starttls imap $IMAP_PORT "$DOVECOT_V" "$PY_V imaplib" \
	"CAPABILITY, STARTTLS; everything after the OK go-ahead is TLS" imaplib_starttls

# ---- POP3 -> Dovecot (bob: curl reads, poplib reads all and deletes)
curl_pop3() {
	local u=bob:bobpw url="pop3://127.0.0.1:$PORT"
	curl -sS --user $u "$url/"
	curl -sS --user $u "$url/1"
	curl -sS --user $u "$url/8" >/dev/null
	curl -sS --user $u "$url/" -X UIDL
	curl -sS --user $u "$url/" -X 'TOP 6 3'
	curl -sS --user $u "$url/" -X NOOP -I
	curl -sS --user $u "$url/10" -X DELE -I
}
poplib_pop3() { python3 "$S/clients.py" pop3 "$PORT"; }
poplib_starttls() { python3 "$S/clients.py" pop3_starttls "$PORT" "$CA"; }

record pop3-dovecot-curl pop3 $POP3_PORT "$DOVECOT_V" "$CURL_V" "LIST, RETR, UIDL, TOP, NOOP, DELE" curl_pop3
record pop3-dovecot-poplib pop3 $POP3_PORT "$DOVECOT_V" "$PY_V poplib" \
	"CAPA, USER/PASS, STAT, LIST, UIDL, TOP, RETR of every message, DELE, RSET, NOOP, QUIT" poplib_pop3
record pop3-dovecot-poplib-starttls pop3 $POP3_PORT "$DOVECOT_V" "$PY_V poplib" \
	"CAPA, STLS; everything after the +OK go-ahead is TLS" poplib_starttls

# ---- fetchmail: POP3 for carol, IMAP for dave; fetch everything, deliver to an MDA, delete
fetchmail_run() {
	local rc=$S/fetchmailrc.$FM_PROTO
	printf '%s\n' 'set no syslog' \
		"poll 127.0.0.1 service $PORT protocol $FM_PROTO user $FM_USER password ${FM_USER}pw fetchall sslproto '' mda 'cat >/dev/null'" >"$rc"
	chmod 600 "$rc"
	HOME=$S FETCHMAILHOME=$S fetchmail -f "$rc" --nosyslog
}
if [ $HAVE_FETCHMAIL = 1 ]; then
	FM_PROTO=pop3 FM_USER=carol
	export FM_PROTO FM_USER
	record pop3-dovecot-fetchmail pop3 $POP3_PORT "$DOVECOT_V" "$FETCHMAIL_V" \
		"fetch every message, deliver it to an MDA, delete it (fetchmail's default mode)" fetchmail_run
	FM_PROTO=imap FM_USER=dave
	record imap-dovecot-fetchmail imap $IMAP_PORT "$DOVECOT_V" "$FETCHMAIL_V" \
		"fetch every message, deliver it to an MDA, delete it (fetchmail's default mode)" fetchmail_run
else
	echo "record.sh: fetchmail not installed; its sessions are not recorded" >&2
fi

echo "record.sh: $(compgen -G "$OUT/*.txn" | wc -l) transcripts in $OUT"
