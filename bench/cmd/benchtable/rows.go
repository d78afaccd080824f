package main

// row is one line of the table: a mailwire benchmark, the other libraries
// measured on the same bytes, the scan of those bytes, and the targets of
// issue 17 where it sets one (zero: none).
type row struct {
	label string
	ours  string   // benchmark name without "Benchmark" and the -N suffix
	peers []string // the other libraries' benchmarks on the same bytes; absent ones are skipped
	scan  string   // corpus name of BenchmarkScan

	maxScan    float64 // at most this multiple of the scan's time
	minPeer    float64 // at least this multiple of the best peer's speed
	minMBs     float64 // at least this many MB/s
	zeroAllocs bool    // allocs/op must be 0
}

// rows: every mailwire benchmark in bench/, in the order of the table.
var rows = []row{
	{label: "SMTP DATA body read", ours: "SmtpData/smtpwire",
		peers: []string{"SmtpData/textproto-DotReader", "SmtpData/go-smtp-server"}, scan: "smtp-data",
		maxScan: 1.5, zeroAllocs: true},
	{label: "SMTP DATA body write", ours: "SmtpWriteData/smtpwire-AppendData",
		peers: []string{"SmtpWriteData/textproto-DotWriter"}, scan: "smtp-body", zeroAllocs: true},
	{label: "POP3 RETR session", ours: "Pop3RETR/pop3",
		peers: []string{"Pop3RETR/textproto"}, scan: "pop3-retr", maxScan: 1.5, zeroAllocs: true},
	{label: "POP3 listing session", ours: "Pop3Listing/pop3",
		peers: []string{"Pop3Listing/textproto"}, scan: "pop3-listing", zeroAllocs: true},
	{label: "SMTP commands, line read and verb", ours: "SmtpCommands/smtpwire-ReadCommand",
		peers: []string{"SmtpCommands/textproto-ReadLine", "SmtpCommands/textproto-ReadLine+Fields"}, scan: "smtp-commands", maxScan: 4, zeroAllocs: true},
	{label: "SMTP commands, paths and parameters checked", ours: "SmtpCommands/smtpwire-ReadCommand+ParsePaths",
		peers: []string{"SmtpCommands/go-smtp-server"}, scan: "smtp-commands", zeroAllocs: true},
	{label: "SMTP DSN commands (20 RCPT, NOTIFY, ORCPT), every parameter typed", ours: "SmtpDSNCommands/smtpwire",
		peers: []string{"SmtpDSNCommands/go-smtp-server"}, scan: "smtp-dsn", maxScan: 15, minPeer: 20, zeroAllocs: true},
	{label: "SMTP replies", ours: "SmtpReplies/smtpwire",
		peers: []string{"SmtpReplies/textproto-ReadResponse"}, scan: "smtp-replies", maxScan: 3, minPeer: 5, zeroAllocs: true},
	{label: "SMTP replies, capabilities and five questions", ours: "SmtpReplies/smtpwire+ParseCapabilities",
		peers: []string{"SmtpReplies/textproto-ReadResponse"}, scan: "smtp-replies", maxScan: 5, zeroAllocs: true},
	{label: "header block, scan", ours: "Headers/mailwire-scan",
		peers: headerPeers, scan: "headers", maxScan: 3, zeroAllocs: true},
	{label: "header block, scan and unfold", ours: "Headers/mailwire-scan-unfold",
		peers: headerPeers, scan: "headers", maxScan: 4, zeroAllocs: true},
	{label: "header block, scan and decode", ours: "Headers/mailwire-scan-decode",
		peers: headerPeers, scan: "headers"},
	{label: "header block, sanitize", ours: "Headers/mailwire-sanitize",
		scan: "headers", maxScan: 5, minMBs: 1000, zeroAllocs: true},
	{label: "IMAP FETCH sync, fully typed", ours: "ImapFetchSync/imapwire",
		peers: []string{"ImapFetchSync/go-imap-v1", "ImapFetchSync/go-imap-v2-client"}, scan: "imap-fetch",
		maxScan: 40, minPeer: 20, zeroAllocs: true},
	{label: "IMAP 200-command stream, argument helpers", ours: "ImapCommands/imapwire",
		peers: imapCommandPeers, scan: "imap-commands", maxScan: 15, minPeer: 20, zeroAllocs: true},
	{label: "IMAP 200-command stream, typed Decoder", ours: "ImapCmd/imapwire",
		peers: imapCommandPeers, scan: "imap-commands", maxScan: 15, minPeer: 20, zeroAllocs: true},
	{label: "IMAP responses written (first minute)", ours: "ImapRespSession/imapwire",
		peers: []string{"ImapRespSession/go-imap-v1"}, scan: "imap-responses", zeroAllocs: true},
	{label: "IMAP BODYSTRUCTURE and ENVELOPE of a stored message", ours: "ImapMessageStructure/imapwire",
		peers: []string{"ImapMessageStructure/go-imap-v2-imapserver"}, scan: "imap-message", zeroAllocs: true},
	{label: "IMAP BODY[1.2.2] of a stored message", ours: "ImapMessageSection/imapwire",
		peers: []string{"ImapMessageSection/go-imap-v2-imapserver"}, scan: "imap-message", zeroAllocs: true},
}

var headerPeers = []string{"Headers/net-textproto", "Headers/net-mail", "Headers/go-message-textproto"}

var imapCommandPeers = []string{"ImapCmd/go-imap-v1", "ImapCmd/go-imap-v2-server"}
