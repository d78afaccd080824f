// Package tlsrpt keeps the daily SMTP TLS reports (RFC 8460) of the
// outbound queue: every delivery session to an MX host is counted, as a
// success or as a failure with its tlspolicy.ResultType, under the policy
// that applied (sts, tlsa or no-policy-found). One JSON report per policy
// domain and UTC day is kept in DIR/tlsrpt/, named as RFC 8460 §5.3
// names report files:
//
//	ORG!DOMAIN!BEGIN!END.json     BEGIN, END: Unix seconds of the day
//
// The file is rewritten (durable.WriteFile: temporary file, fsync, rename,
// fsync of the directory) after each session, so it is always a complete
// report of the day so far, also after a crash; at a restart the day's
// file is read back and counting goes on. Sending the reports to the
// domain's rua (the _smtp._tls TXT record) is not done here.
package tlsrpt

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/examples/mailserver/internal/durable"
	"github.com/mailwire/mailwire/tlspolicy"
)

// Report is the JSON report of RFC 8460 §4.
type Report struct {
	OrganizationName string        `json:"organization-name"`
	DateRange        DateRange     `json:"date-range"`
	ContactInfo      string        `json:"contact-info"`
	ReportID         string        `json:"report-id"`
	Policies         []PolicyEntry `json:"policies"`
}

// DateRange is the report's period.
type DateRange struct {
	Start time.Time `json:"start-datetime"`
	End   time.Time `json:"end-datetime"`
}

// PolicyEntry is one policy's sessions.
type PolicyEntry struct {
	Policy         Policy          `json:"policy"`
	Summary        Summary         `json:"summary"`
	FailureDetails []FailureDetail `json:"failure-details,omitempty"`
}

// Policy identifies the policy a session was evaluated under (§4.4).
type Policy struct {
	Type    tlspolicy.PolicyType `json:"policy-type"`
	Strings []string             `json:"policy-string,omitempty"`
	Domain  string               `json:"policy-domain"`
	MXHost  string               `json:"mx-host,omitempty"`
}

// Summary counts the sessions.
type Summary struct {
	Successful int `json:"total-successful-session-count"`
	Failed     int `json:"total-failure-session-count"`
}

// FailureDetail counts the sessions that failed alike.
type FailureDetail struct {
	ResultType          tlspolicy.ResultType `json:"result-type"`
	SendingMTAIP        string               `json:"sending-mta-ip,omitempty"`
	ReceivingMXHostname string               `json:"receiving-mx-hostname,omitempty"`
	ReceivingIP         string               `json:"receiving-ip,omitempty"`
	FailedSessionCount  int                  `json:"failed-session-count"`
	AdditionalInfo      string               `json:"additional-information,omitempty"`
}

// Session is one delivery session's outcome.
type Session struct {
	Policy Policy
	// Result is empty for a success.
	Result                              tlspolicy.ResultType
	SendingIP, ReceivingMX, ReceivingIP string
	// Info is a short, free-text explanation of a failure.
	Info string
}

// Reporter accumulates sessions. It is safe for concurrent use.
type Reporter struct {
	// Dir is where reports are written (DIR/tlsrpt).
	Dir string
	// Org is the organization-name and the first part of file names (the
	// service's host name); Contact the contact-info.
	Org, Contact string
	// Now is the clock; nil: time.Now.
	Now func() time.Time

	mu      sync.Mutex
	reports map[string]*Report // by file name
}

// maxInfo bounds additional-information.
const maxInfo = 200

// Record counts s in the report of its day and domain, and rewrites that
// report's file.
func (r *Reporter) Record(s Session) error {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	t := now().UTC()
	begin := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	end := begin.Add(24*time.Hour - time.Second)
	domain := strings.ToLower(s.Policy.Domain)
	if domain == "" || strings.ContainsAny(domain, "/!\x00") || domain[0] == '.' {
		return fmt.Errorf("tlsrpt: bad policy domain %q", s.Policy.Domain)
	}
	s.Policy.Domain = domain
	name := fmt.Sprintf("%s!%s!%d!%d.json", r.Org, domain, begin.Unix(), end.Unix())
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reports == nil {
		r.reports = map[string]*Report{}
	}
	rep := r.reports[name]
	if rep == nil {
		rep = r.load(name)
		if rep == nil {
			rep = &Report{OrganizationName: r.Org, ContactInfo: r.Contact, DateRange: DateRange{begin, end},
				ReportID: fmt.Sprintf("%s-%s@%s", begin.Format("2006-01-02"), domain, r.Org)}
		}
		// Only today's reports stay in memory.
		for k := range r.reports {
			delete(r.reports, k)
		}
		r.reports[name] = rep
	}
	rep.add(s)
	return r.write(name, rep)
}

func samePolicy(a, b Policy) bool {
	return a.Type == b.Type && a.Domain == b.Domain && a.MXHost == b.MXHost && strings.Join(a.Strings, "\n") == strings.Join(b.Strings, "\n")
}

func (rep *Report) add(s Session) {
	var pe *PolicyEntry
	for i := range rep.Policies {
		if samePolicy(rep.Policies[i].Policy, s.Policy) {
			pe = &rep.Policies[i]
		}
	}
	if pe == nil {
		rep.Policies = append(rep.Policies, PolicyEntry{Policy: s.Policy})
		pe = &rep.Policies[len(rep.Policies)-1]
	}
	if s.Result == "" {
		pe.Summary.Successful++
		return
	}
	pe.Summary.Failed++
	info := s.Info
	if len(info) > maxInfo {
		info = info[:maxInfo]
	}
	for i := range pe.FailureDetails {
		fd := &pe.FailureDetails[i]
		if fd.ResultType == s.Result && fd.SendingMTAIP == s.SendingIP && fd.ReceivingMXHostname == s.ReceivingMX && fd.ReceivingIP == s.ReceivingIP {
			fd.FailedSessionCount++
			fd.AdditionalInfo = info
			return
		}
	}
	pe.FailureDetails = append(pe.FailureDetails, FailureDetail{ResultType: s.Result, SendingMTAIP: s.SendingIP,
		ReceivingMXHostname: s.ReceivingMX, ReceivingIP: s.ReceivingIP, FailedSessionCount: 1, AdditionalInfo: info})
}

// maxReport bounds a report file read back at a restart.
const maxReport = 16 << 20

func (r *Reporter) load(name string) *Report {
	b, err := os.ReadFile(filepath.Join(r.Dir, name))
	if err != nil || len(b) > maxReport {
		return nil
	}
	var rep Report
	if json.Unmarshal(b, &rep) != nil {
		return nil
	}
	return &rep
}

func (r *Reporter) write(name string, rep *Report) error {
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return durable.WriteFile(filepath.Join(r.Dir, name), 0o600, durable.Bytes(append(b, '\n')))
}

// ReadDir reads every report in dir, for tests and tools.
func ReadDir(dir string) ([]Report, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Report
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var rep Report
		if err := json.Unmarshal(b, &rep); err != nil {
			return nil, fmt.Errorf("tlsrpt: %s: %w", e.Name(), err)
		}
		out = append(out, rep)
	}
	return out, nil
}
