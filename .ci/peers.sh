#!/usr/bin/env bash
# Installs the real mail peers that .ci/record.sh drives (Debian packages):
# Dovecot (IMAP, POP3), Postfix, swaks, isync (mbsync), msmtp, curl, and
# fetchmail when it installs cleanly; python3 when missing. Needs root.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

$SUDO apt-get update -q
$SUDO apt-get install -y -q dovecot-imapd dovecot-pop3d postfix swaks isync msmtp curl libnet-ssleay-perl
$SUDO apt-get install -y -q dovecot-lmtpd gnupg openssl # smtpwire LMTP interop; examples/mailserver PGP/MIME and S/MIME round trips
$SUDO apt-get install -y -q haproxy # examples/mailserver behind HAProxy (PROXY v2, two instances)
if ! $SUDO apt-get install -y -q fetchmail; then
	echo "peers.sh: fetchmail did not install; record.sh will skip it" >&2
fi
if ! command -v python3 >/dev/null 2>&1; then
	$SUDO apt-get install -y -q python3
fi
